import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { generate } from '../../packages/codegen/src/index.js';
import { assertCoreBuilt, emptyApp, REPO_ROOT, removeMadeDirs, SOURCES } from '../bundle/bundle-app.js';

/**
 * The sample's two services, unchanged, on the other backend: AWS Lambda
 * durable functions through the official SDK, under its own
 * LocalDurableTestRunner with real timers. The review sleeps (a wait),
 * invokes the notifier through its generated stub (a chained invoke of the
 * notifier registered under its qualified ARN), and each side effect happens
 * once, as on the dynamodb backend (test/e2e/sample.test.ts).
 */

const SCRIPT = fileURLToPath(new URL('./native/run-sample-natively.ts', import.meta.url));
// The runner's functions run in this account and region: the stub's target must be there too.
const NOTIFIER_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:notifier:1';

afterAll(() => removeMadeDirs());

it('runs the sample review and its chained notify on lambda-durable, each side effect once', () => {
  assertCoreBuilt();
  // A copy, generated for its stubs: the sample's own generated/ belongs to the sample's tests.
  const app = emptyApp();
  for (const folder of ['src', 'events']) {
    cpSync(path.join(REPO_ROOT, 'apps/sample', folder), path.join(app, folder), { recursive: true });
  }
  // The sample's own tsconfig extends the repository's by a relative path; the bundle tests' one stands alone.
  writeFileSync(path.join(app, 'tsconfig.json'), SOURCES['tsconfig.json']!);
  const { diagnostics } = generate({ root: app, paths: ['src'], account: '123456789012', region: 'us-east-2' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const outbox = path.join(app, 'outbox.jsonl');

  // A process of its own, as an app runs it: one @durable/core (tsx compiles the sample's decorators).
  const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, app, NOTIFIER_ARN], {
    // tsx reads the tsconfig of the folder it runs in: the app's, with its decorator settings.
    cwd: app,
    env: {
      ...process.env,
      DURABLE_TARGET_NOTIFIER_ARN: NOTIFIER_ARN,
      SAMPLE_OUTBOX: outbox,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr + run.stdout).toBe(0);
  const last = run.stdout.trim().split('\n').pop() ?? '';
  const result = JSON.parse(last) as { status: string; output: unknown; invocations: number; operations: string[] };

  expect(result.status).toBe('SUCCEEDED');
  expect(result.output).toMatchObject({ pullRequest: 42, notifiedIn: '#reviews-payments' });
  expect(result.operations).toEqual(
    expect.arrayContaining([
      'STEP commentStarted',
      'STEP analyzeChanges',
      'WAIT cooldown',
      'STEP createReviewThread',
      'CHAINED_INVOKE notifier.notify',
    ]),
  );
  // The service ended the invocation at the wait and at the invoke, and replayed: still, each side effect once.
  expect(result.invocations).toBeGreaterThanOrEqual(2);
  const effects = readFileSync(outbox, 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { effect: string }).effect)
    .sort();
  expect(effects).toEqual(['analysis', 'chat.message', 'db.save', 'github.comment', 'github.review']);
});
