import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('the testing kit under node:test', () => {
  // The kit promises to need no test framework: its node:test suite runs in Node's own runner, in a process of
  // its own (vitest's module graph and globals far away), as a user's `node --test` would run it.
  it('passes test-runner.node-test.ts in `node --test`', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--test', 'packages/core/src/testing/test-runner.node-test.ts'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        // The repository's decorators are the legacy ones: tsx reads them from the base config.
        env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^# pass 2$/m);
    expect(run.stdout).toMatch(/^# fail 0$/m);
  });
});
