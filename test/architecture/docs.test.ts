import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnosticCodes } from './diagnostic-codes.js';

/**
 * What the shipped text promises, checked against the code: every finding's
 * code is in docs/lint-rules.md, and no text points at what a user cannot
 * open or run (a design file, a command durable-gen does not have).
 */

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Codes built from a plain string, which the checker cannot read: what they
 * can be, by expression. Better: give the value a literal type (`as const`),
 * and remove its line here.
 */
const NOT_LITERAL: Record<string, string[]> = {
  // check-services.ts: `what` is 'workflow' or 'step', widened to string by the object it is spread into.
  '`duplicate-${what}`': ['duplicate-workflow', 'duplicate-step'],
};

/** Commands that other tools have and durable-gen may have one day: text must not mention them before they exist. */
const NOT_YET_COMMANDS = ['deploy', 'replay', 'diff', 'dev', 'ui', 'logs', 'init'];

/** Text that reaches users: sources (tests and test data left out), bins, package manifests, docs. */
function shippedFiles(): string[] {
  const files: string[] = [path.join(ROOT, 'README.md'), ...walk(path.join(ROOT, 'docs'))];
  for (const name of readdirSync(path.join(ROOT, 'packages'))) {
    const pkg = path.join(ROOT, 'packages', name);
    files.push(...walk(path.join(pkg, 'src')), ...walk(path.join(pkg, 'bin')));
    for (const entry of readdirSync(pkg)) if (/\.(md|json)$/.test(entry)) files.push(path.join(pkg, entry));
  }
  files.push(...walk(path.join(ROOT, 'apps/sample/src')), ...walk(path.join(ROOT, 'apps/sample/demo')));
  return files.filter((file) => !/\.test\.ts$|\/__(fixtures|golden|corpus)__\//.test(file));
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    return statSync(file).isDirectory() ? walk(file) : [file];
  });
}

/** `file:line: text` of every line of shipped text that `pattern` matches. */
function linesMatching(pattern: RegExp): string[] {
  return shippedFiles().flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) =>
        pattern.test(line) ? [`${path.relative(ROOT, file)}:${index + 1}: ${line.trim()}`] : [],
      ),
  );
}

describe('docs/lint-rules.md', () => {
  it('lists every code that codegen and the CLI can report', { timeout: 180_000 }, () => {
    const found = diagnosticCodes(ROOT, ['packages/codegen/tsconfig.json', 'packages/cli/tsconfig.json']);
    const unexplained = found.unreadable.filter(({ expression }) => !(expression in NOT_LITERAL));
    expect(unexplained, 'codes the types do not say: give them a literal type, or list them in NOT_LITERAL').toEqual(
      [],
    );
    const stale = Object.keys(NOT_LITERAL).filter((text) => !found.unreadable.some((u) => u.expression === text));
    expect(stale, 'NOT_LITERAL entries no source has any more: remove them').toEqual([]);

    const codes = new Set([...found.codes.keys(), ...Object.values(NOT_LITERAL).flat()]);
    // The scanner's and the lint's own, so that a reader that found none at all cannot pass.
    for (const known of ['nondeterministic-time', 'duplicate-step', 'cross-account-invoke', 'no-services']) {
      expect(codes).toContain(known);
    }
    const doc = readFileSync(path.join(ROOT, 'docs/lint-rules.md'), 'utf8');
    const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``)).sort();
    expect(
      missing.map((code) => `${code} (built at ${found.codes.get(code)?.join(', ') ?? 'see NOT_LITERAL'})`),
      'codes docs/lint-rules.md does not list',
    ).toEqual([]);
  });
});

describe('shipped text', () => {
  it('cites no design file', () => {
    expect(linesMatching(/DESIGN\s*(§|\.md)|§\s*\d/)).toEqual([]);
  });

  it('mentions no durable-gen command that does not exist', () => {
    const help = spawnSync(process.execPath, [path.join(ROOT, 'packages/cli/bin/durable-gen.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(help.status, help.stderr).toBe(0);
    const commands = new Set([...help.stdout.matchAll(/^\s+durable-gen ([a-z-]+)/gm)].map((match) => match[1]));
    expect(commands).toContain('generate');
    const absent = NOT_YET_COMMANDS.filter((command) => !commands.has(command));
    // `durable-gen deploy`, or an option after the bare name (`replay --history`).
    const mention = new RegExp(`durable-gen (${absent.join('|')})\\b|\\b(${absent.join('|')}) --[a-z]`);
    expect(linesMatching(mention)).toEqual([]);
  });
});
