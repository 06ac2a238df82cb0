/**
 * `npm run demo:dev`: deployed by version, on `durable-gen dev` (the local
 * Lambda API). Deploys both sample services (v1), starts a review whose
 * cooldown outlives its function's 3-second timeout, renames a step and
 * deploys the reviewer again (v2), starts a second review through the alias,
 * and shows the first one resumed by dev's sweeper on v1 (its chained call on
 * the notifier's v1) while the second runs on v2. Nothing runs on `$LATEST`;
 * every side effect happens once.
 *
 * It works on two copies of the sample under `.durable/dev-demo/`: `v1` as
 * it is, `v2` with the step renamed (the sample's own sources stay as they
 * are). Both are generated and bundled before anything is deployed, so that
 * deploying v2 is all that happens while the first review sleeps.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_TABLE, DynamoDbStore, type ExecutionRecord } from '@durable/core';
import {
  bold,
  type CliRun,
  dim,
  durableGen,
  fail,
  heading as numbered,
  readOutbox,
  SAMPLE_APP,
  startDurableGen,
} from './demo-kit.js';

const STEPS = 7;
const heading = (step: number, title: string, detail: string) => numbered(step, STEPS, title, detail);

const work = path.join(SAMPLE_APP, '.durable', 'dev-demo');
const outbox = path.join(work, 'outbox.jsonl');
/** The sample as it is, and the same app with a step renamed: each built up front, so only deploying is left. */
const v1 = path.join(work, 'v1');
const v2 = path.join(work, 'v2');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-sample`;
/** Longer than the function's timeout, and than deploying v2 takes: the review must be asleep meanwhile. */
const COOLDOWN_SECONDS = 15;
const FUNCTION_TIMEOUT_SECONDS = 3;
// dev checks no signature, but the AWS SDK signs every request and needs something to sign with.
const env = {
  ...process.env,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'dev',
  AWS_SECRET_ACCESS_KEY: 'dev',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  FORCE_COLOR: '0',
};
const started = Date.now();
// The tools run on Node 20, bundles on nodejs22.x: the SDK's notice about Node 22 says nothing to act on here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function copySample(app: string): void {
  mkdirSync(app, { recursive: true });
  for (const folder of ['src', 'events'])
    cpSync(path.join(SAMPLE_APP, folder), path.join(app, folder), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(SAMPLE_APP, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    path.join(app, 'package.json'),
    `${JSON.stringify({ ...pkg, name: '@durable/sample-dev-demo' }, null, 2)}\n`,
  );
  const tsconfig = JSON.parse(readFileSync(path.join(SAMPLE_APP, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  tsconfig.extends = path.resolve(SAMPLE_APP, '../../tsconfig.base.json');
  writeFileSync(path.join(app, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
}

async function cli(app: string, args: string[], indent = true): Promise<CliRun> {
  const run = await durableGen(args, { cwd: app, env });
  if (run.code !== 0) fail(`durable-gen ${args.join(' ')} failed`, `${run.stdout.join('\n')}\n${run.stderr}`);
  if (indent) for (const line of run.stdout) console.log(`  ${line}`);
  return run;
}

async function build(app: string): Promise<void> {
  await cli(app, ['generate', '--account', ACCOUNT, '--region', REGION], false);
  await cli(app, ['bundle'], false);
}

async function deployVersion(app: string): Promise<void> {
  await cli(app, [
    'deploy',
    '--endpoint',
    endpoint,
    '--role',
    ROLE,
    '--timeout',
    String(FUNCTION_TIMEOUT_SECONDS),
    '--env',
    `SAMPLE_OUTBOX=${outbox}`,
  ]);
}

function pullRequestEvent(executionId: string, number: number, cooldownSeconds: number) {
  const event = JSON.parse(readFileSync(path.join(v1, 'events', 'pull-request-opened.json'), 'utf8')) as {
    pullRequest: Record<string, unknown>;
  };
  return { executionId, input: { ...event, cooldownSeconds, pullRequest: { ...event.pullRequest, number } } };
}

async function startReview(executionId: string, number: number, cooldownSeconds: number): Promise<void> {
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: 'reviews',
      Qualifier: 'live',
      Payload: JSON.stringify(pullRequestEvent(executionId, number, cooldownSeconds)),
    }),
  );
  if (answer.FunctionError !== undefined)
    fail(`invoking reviews:live failed`, new TextDecoder().decode(answer.Payload));
  const result = JSON.parse(new TextDecoder().decode(answer.Payload)) as { status: string; resumeAt?: number };
  console.log(
    `  ${executionId}: ran on reviews version ${answer.ExecutedVersion} through alias live → ${result.status}` +
      (result.resumeAt === undefined ? '' : dim(`  (resumes at ${new Date(result.resumeAt).toISOString()})`)),
  );
}

async function execution(executionId: string): Promise<ExecutionRecord | undefined> {
  return store.getExecution({ service: 'reviews', executionId });
}

async function waitForSuccess(executionIds: string[], deadlineMs: number): Promise<void> {
  const pending = new Set(executionIds);
  while (pending.size > 0) {
    for (const id of pending) {
      const record = await execution(id);
      if (record?.status === 'FAILED') fail(`${id} FAILED`, JSON.stringify(record));
      if (record?.status === 'SUCCEEDED') {
        pending.delete(id);
        console.log(`  ${id}: SUCCEEDED on version ${record.pinnedVersion?.version ?? '?'} ${dim(`(${elapsed()})`)}`);
      }
    }
    if (Date.now() > deadlineMs) fail(`still not finished: ${[...pending].join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

// ---- the scenario ---------------------------------------------------------------------------------------------

rmSync(work, { recursive: true, force: true });
copySample(v1);
copySample(v2);
const renamed = path.join(v2, 'src', 'review-service.ts');
writeFileSync(renamed, readFileSync(renamed, 'utf8').replaceAll('createReviewThread', 'openReviewThread'));
heading(1, 'Start the local Lambda API', 'durable-gen dev --port 0');
const dev = startDurableGen(['dev', '--port', '0'], { cwd: work, env });
const devLog: string[] = dev.lines;
const endpoint = await new Promise<string>((resolve) => {
  const deadline = setTimeout(() => fail('durable-gen dev did not start', dev.stderrText()), 30_000);
  dev.stdout?.on('data', () => {
    const url = devLog.map((line) => /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0]).find((u) => u !== undefined);
    if (url === undefined) return;
    clearTimeout(deadline);
    resolve(url);
  });
  dev.on('close', (code) => fail(`durable-gen dev exited (${code})`, dev.stderrText()));
});
console.log(`  ${devLog[0] ?? endpoint}`);
const lambda = new LambdaClient({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
});
const dynamoDb = new DynamoDBClient({
  endpoint,
  region: REGION,
  credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
});
const store = new DynamoDbStore({ client: dynamoDb, tableName: DEFAULT_TABLE });

try {
  heading(2, 'Deploy v1', 'generate, bundle, deploy --endpoint: callees first, a version each, alias live');
  // v2 is built now too (its own folder): while the first review sleeps, deploying it is all that is left to do.
  await Promise.all([build(v1), build(v2)]);
  await deployVersion(v1);

  heading(
    3,
    'Start a review',
    `its cooldown (${COOLDOWN_SECONDS} s) outlives the function's ${FUNCTION_TIMEOUT_SECONDS} s timeout`,
  );
  await startReview('review-on-v1', 42, COOLDOWN_SECONDS);

  heading(4, 'Deploy v2', 'step createReviewThread renamed openReviewThread: breaking for running executions');
  await deployVersion(v2);
  const first = await execution('review-on-v1');
  console.log(`  review-on-v1 is ${first?.status}, pinned to reviews version ${first?.pinnedVersion?.version}`);

  heading(5, 'Start another review', 'through the alias, which now points at v2');
  await startReview('review-on-v2', 43, 1);

  heading(6, 'Wait', "dev's sweeper resumes each due execution on the version it is pinned to");
  await waitForSuccess(['review-on-v1', 'review-on-v2'], Date.now() + (COOLDOWN_SECONDS + 30) * 1000);

  console.log(
    dim("\n  what dev printed (its control plane, the sweeper, the functions' logs without START/END/REPORT):"),
  );
  const shown = devLog.slice(2).filter((line) => !/^\[[^\]]+\] (START|END|REPORT) RequestId/.test(line));
  for (const line of shown) console.log(dim(`  │ ${line}`));

  heading(7, 'Outbox', 'each side effect once, on the version that started its review');
  const effects = readOutbox(outbox);
  const expected: Record<number, { reviews: string; notifier: string; thread: string }> = {
    42: { reviews: '1', notifier: '1', thread: 'createReviewThread' },
    43: { reviews: '2', notifier: '1', thread: 'openReviewThread' },
  };
  let right = effects.length > 0;
  const seen = new Map<string, number>();
  for (const effect of effects) {
    const pullRequest = Number(effect.pullRequest ?? (effect.messageId as string | undefined)?.split('-').pop());
    const want = expected[pullRequest];
    const service = effect.function ?? '(not in Lambda)';
    const ok = want !== undefined && effect.version === (service === 'notifier' ? want.notifier : want.reviews);
    const key = `${pullRequest} ${effect.effect}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    right &&= ok;
    console.log(`  ${ok ? '✓' : '✗'} PR ${pullRequest}  ${effect.effect.padEnd(15)} ${service}:${effect.version}`);
  }
  const repeated = [...seen].filter(([, count]) => count !== 1).map(([key]) => key);
  if (repeated.length > 0) fail(`side effects repeated: ${repeated.join(', ')}`);
  if (!right) fail('a side effect ran on the wrong version (or nothing ran)');
  if (effects.some((effect) => effect.version === '$LATEST')) fail('something ran on $LATEST');
  const perReview = new Set(effects.map((effect) => `${effect.pullRequest ?? ''}`)).size;
  if (perReview < 2) fail('expected side effects of both reviews');
  console.log(
    `\n${bold('The review started on v1 finished on v1 (notifier v1), the new one ran on v2; each side effect once.')} ${dim(`(${elapsed()})`)}`,
  );
} finally {
  lambda.destroy();
  dynamoDb.destroy();
  dev.removeAllListeners('close');
  dev.kill('SIGINT');
}
