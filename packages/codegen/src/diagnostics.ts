/** How bad a finding is: `error` stops `generate` and makes `check` exit 1. */
export type Severity = 'error' | 'warning';

/**
 * One finding, at a place in a source file (one entry of the JSON of
 * `durable-gen check --format json`). `line` and `column` are 1-based.
 */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: Severity;
  message: string;
}

/** `file:line:col  severity CODE  message`, the form editors and terminals link. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column, severity, code, message } = diagnostic;
  return `${file}:${line}:${column}  ${severity} ${code}  ${message}`;
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorted by file, then position, then code: stable output for people and for diffs. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}
