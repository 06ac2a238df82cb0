import type { Diagnostic } from '@durable/codegen';
import { type Output, plural } from '../output.js';

/**
 * Diagnostics as people read them: `file:line:col  error CODE  message`, the
 * form terminals and editors turn into links, severity coloured on a terminal.
 */
export function printDiagnostics(diagnostics: readonly Diagnostic[], output: Output): void {
  const { red, yellow } = output.stdout;
  for (const { file, line, column, severity, code, message } of diagnostics) {
    const label = severity === 'error' ? red(severity) : yellow(severity);
    output.line(`${file}:${line}:${column}  ${label} ${code}  ${message}`);
  }
}

/** `2 errors, 1 warning`, or undefined when there are none. */
export function countDiagnostics(diagnostics: readonly Diagnostic[]): string | undefined {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const parts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''];
  const text = parts.filter((part) => part !== '').join(', ');
  return text === '' ? undefined : text;
}
