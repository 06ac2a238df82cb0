import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

// The sample's review tested with Node's own runner, in a process of its own, as a project without vitest runs it.
it('passes review-service.node-test.ts in `node --test`', () => {
  const run = spawnSync(
    process.execPath,
    // `source`: @durable/core resolves to its TypeScript sources, as in vitest, so no stale dist/ is tested.
    ['--conditions=source', '--import', 'tsx', '--test', 'apps/sample/test/review-service.node-test.ts'],
    // The repository's decorators are the legacy ones: tsx reads them from the base config.
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' } },
  );
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/^# pass 2$/m);
  expect(run.stdout).toMatch(/^# fail 0$/m);
});
