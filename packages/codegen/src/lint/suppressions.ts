import path from 'node:path';
import type { Project } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import { RULES } from './rules.js';

/** `// durable-ignore CODE reason` (a `:` after the code is allowed), to the end of the line. */
const SUPPRESSION = /\/\/\s*durable-ignore\s+([a-z][a-z0-9-]*):?(?:\s+(\S.*?))?\s*$/;

/**
 * Applies `// durable-ignore CODE reason` comments: on the finding's line or
 * the line before, they silence that code there. A suppression without a
 * reason still silences, but is itself a warning.
 */
export function applySuppressions(findings: Diagnostic[], project: Project, root: string): Diagnostic[] {
  const kept: Diagnostic[] = [];
  const warned = new Set<string>();
  const linesOf = new Map<string, string[]>();
  for (const finding of findings) {
    let lines = linesOf.get(finding.file);
    if (lines === undefined) {
      lines = project.getSourceFile(path.join(root, finding.file))?.getFullText().split(/\r?\n/) ?? [];
      linesOf.set(finding.file, lines);
    }
    let suppressed = false;
    for (const lineNumber of [finding.line, finding.line - 1]) {
      const match = SUPPRESSION.exec(lines[lineNumber - 1] ?? '');
      if (match === null || match[1] !== finding.code) continue;
      suppressed = true;
      const key = `${finding.file}:${lineNumber}`;
      if (match[2] === undefined && !warned.has(key)) {
        warned.add(key);
        const column = (lines[lineNumber - 1] ?? '').indexOf('//') + 1;
        const rule = RULES['suppression-without-reason'];
        kept.push({
          file: finding.file,
          line: lineNumber,
          column,
          code: rule.code,
          severity: rule.severity,
          message: `This durable-ignore of ${finding.code} gives no reason: a suppression ${rule.why}. Fix: ${rule.fix}.`,
        });
      }
      break;
    }
    if (!suppressed) kept.push(finding);
  }
  return kept;
}
