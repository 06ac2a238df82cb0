import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { check } from '../check.js';
import type { Diagnostic } from '../diagnostics.js';
import { RULES, type RuleCode } from './rules.js';

const CORPUS = fileURLToPath(new URL('./__corpus__/', import.meta.url));

/** One `// expect: CODE [via CHAIN]` comment of the corpus: a finding the case must produce. */
interface Expectation {
  file: string;
  line: number;
  code: string;
  /** `BadService.go → jitter`: the message must name the chain from the workflow to the call. */
  chain?: string;
}

const EXPECT = /\bexpect:\s*([a-z][a-z0-9-]*)(?:\s+via\s+([^;*]+?))?\s*(?=;|\*\/|$)/g;

/** The .ts files of a case, relative to its folder, with `/`. */
function caseFiles(caseDir: string): string[] {
  return readdirSync(caseDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/** The expectations written in a case's sources, in file and line order. */
function readExpectations(caseDir: string): Expectation[] {
  const expectations: Expectation[] = [];
  for (const file of caseFiles(caseDir)) {
    const lines = readFileSync(path.join(caseDir, file), 'utf8').split(/\r?\n/);
    lines.forEach((text, index) => {
      for (const match of text.matchAll(EXPECT)) {
        const expectation: Expectation = { file, line: index + 1, code: match[1]! };
        if (match[2] !== undefined) expectation.chain = match[2];
        expectations.push(expectation);
      }
    });
  }
  return expectations;
}

const place = (finding: { file: string; line: number; code: string }): string =>
  `${finding.file}:${finding.line} ${finding.code}`;

const isRuleCode = (code: string): code is RuleCode => Object.hasOwn(RULES, code);

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const dir = path.join(CORPUS, entry.name);
    return { name: entry.name, dir, expectations: readExpectations(dir) };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
const positives = cases.filter((c) => c.expectations.length > 0);
const negatives = cases.filter((c) => c.expectations.length === 0);

describe('the lint corpus', () => {
  it('has at least 40 cases, positive and negative, covering every rule', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(negatives.length).toBeGreaterThanOrEqual(10);
    const expectedCodes = new Set(positives.flatMap((c) => c.expectations.map((e) => e.code)));
    for (const code of Object.keys(RULES)) expect(expectedCodes, `a positive case of ${code}`).toContain(code);
    expect(positives.some((c) => c.expectations.some((e) => e.chain !== undefined))).toBe(true);
  });

  describe.each(cases)('$name', ({ dir, expectations }) => {
    const { diagnostics } = check({ root: dir, paths: ['**/*.ts'] });

    it(expectations.length === 0 ? 'reports nothing' : 'reports exactly the expected findings, at their lines', () => {
      expect(diagnostics.map(place).sort()).toEqual(expectations.map(place).sort());
    });

    it.each(expectations.filter((e) => e.chain !== undefined))('names the chain at $file:$line', (expectation) => {
      const found = diagnostics.filter((d) => place(d) === place(expectation));
      expect(found.map((d) => d.message)).toEqual([expect.stringContaining(`(reached ${expectation.chain} → `)]);
    });

    it('reports in the diagnostic shape, saying why and how to fix', () => {
      for (const diagnostic of diagnostics) expectWellFormed(diagnostic);
    });
  });
});

/** `{ file, line, column, code, severity, message }` and nothing else; lint messages carry the rule's why and fix. */
function expectWellFormed(diagnostic: Diagnostic): void {
  expect(Object.keys(diagnostic).sort()).toEqual(['code', 'column', 'file', 'line', 'message', 'severity']);
  const { file, line, column, code, severity, message } = diagnostic;
  expect(file).toMatch(/^[^/].*\.ts$/);
  expect(Number.isInteger(line) && line >= 1).toBe(true);
  expect(Number.isInteger(column) && column >= 1).toBe(true);
  expect(['error', 'warning']).toContain(severity);
  if (!isRuleCode(code)) {
    // A scanner finding (names, options): its own wording, but never empty.
    expect(message.length).toBeGreaterThan(20);
    return;
  }
  const rule = RULES[code];
  expect(severity).toBe(rule.severity);
  expect(message).toContain(rule.why);
  expect(message).toContain(`Fix: ${rule.fix}.`);
}

describe('lint messages', () => {
  it('say what was called, where, through which chain, why it breaks replay and how to fix it', () => {
    const { diagnostics } = check({ root: path.join(CORPUS, 'helpers-same-file-two-levels'), paths: ['**/*.ts'] });
    expect(diagnostics).toEqual([
      {
        file: 'service.ts',
        line: 4,
        column: 10,
        code: 'nondeterministic-random',
        severity: 'error',
        message:
          'Math.random() in workflow code (reached BadService.go → jitter → noise → Math.random()): ' +
          `it ${RULES['nondeterministic-random'].why}. Fix: ${RULES['nondeterministic-random'].fix}.`,
      },
    ]);
  });

  it('name the suppressed code and ask for a reason when a suppression gives none', () => {
    const { diagnostics } = check({ root: path.join(CORPUS, 'suppress-without-reason'), paths: ['**/*.ts'] });
    expect(diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('durable-ignore of nondeterministic-time gives no reason'),
      expect.stringContaining('durable-ignore of nondeterministic-random gives no reason'),
    ]);
  });
});
