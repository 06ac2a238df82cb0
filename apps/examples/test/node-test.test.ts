import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the examples under node:test', () => {
  // The same workflows tested with Node's own runner, in a process of its own, as a user's `node --test` runs them.
  it('passes examples.node-test.ts in `node --test`', () => {
    const run = spawnSync(
      process.execPath,
      // `source`: @durable/core resolves to its TypeScript sources, as in vitest, so no stale dist/ is tested.
      ['--conditions=source', '--import', 'tsx', '--test', 'apps/examples/test/examples.node-test.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        // The repository's decorators are the legacy ones: tsx reads them from the base config.
        env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^# pass 3$/m);
    expect(run.stdout).toMatch(/^# fail 0$/m);
  });
});
