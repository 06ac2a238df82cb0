import type { ChangedFile, Finding } from './pull-request.js';

/**
 * A deterministic local analyser (no network): the kind of checks a review bot
 * runs over a diff. Same files in, same findings out.
 */
export function analyze(files: readonly ChangedFile[]): Finding[] {
  const findings: Finding[] = [];
  for (const file of files) {
    file.added.forEach((text, index) => {
      const line = index + 1;
      if (/\bconsole\.log\(/.test(text)) {
        findings.push({ path: file.path, line, rule: 'no-console', message: 'Remove console.log before merging.' });
      }
      if (/\bTODO\b/.test(text)) {
        findings.push({ path: file.path, line, rule: 'todo', message: 'Open an issue for this TODO.' });
      }
      if (text.length > 100) {
        findings.push({
          path: file.path,
          line,
          rule: 'line-length',
          message: `Line is ${text.length} characters long.`,
        });
      }
      if (/\bany\b/.test(text) && file.path.endsWith('.ts')) {
        findings.push({ path: file.path, line, rule: 'no-any', message: 'Avoid `any`: name the type.' });
      }
    });
  }
  return findings;
}
