import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../check.js';

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** Checks a one-file app whose workflow body is `body` (from line 6), its lines joined with `newline`. */
function checkWorkflow(body: string[], newline = '\n'): { line: number; code: string }[] {
  const root = mkdtempSync(path.join(tmpdir(), 'durable-suppress-'));
  tempRoots.push(root);
  const lines = [
    "import { type DurableContext, DurableService, Workflow } from '@durable/core';",
    '@DurableService()',
    'export class Suppressed {',
    '  @Workflow()',
    '  async run(_ctx: DurableContext): Promise<number> {',
    ...body,
    '    return 1;',
    '  }',
    '}',
    '',
  ];
  writeFileSync(path.join(root, 'service.ts'), lines.join(newline));
  return check({ root, paths: ['**/*.ts'] }).diagnostics.map(({ line, code }) => ({ line, code }));
}

describe('durable-ignore', () => {
  it('works in files with CRLF line ends', () => {
    const body = [
      '    // durable-ignore nondeterministic-time logged only',
      '    Date.now();',
      '    Math.random(); // durable-ignore nondeterministic-random logged only',
    ];
    expect(checkWorkflow(body, '\r\n')).toEqual([]);
  });

  it('allows trailing spaces and a colon after the code', () => {
    const body = [
      '    Date.now(); // durable-ignore nondeterministic-time: logged only   ',
      '    Math.random(); // durable-ignore nondeterministic-random   ',
    ];
    expect(checkWorkflow(body)).toEqual([{ line: 7, code: 'suppression-without-reason' }]);
  });

  it('silences only the line it is on and the next one', () => {
    const body = ['    // durable-ignore nondeterministic-time logged only', '', '    Date.now();'];
    expect(checkWorkflow(body)).toEqual([{ line: 8, code: 'nondeterministic-time' }]);
  });
});
