/**
 * `npm run demo:dev`: deployed by version, on `durable-gen dev` (the local
 * Lambda API). Deploys both sample services (v1), starts a review whose
 * cooldown outlives its function's 3-second timeout, renames a step and
 * deploys the reviewer again (v2), starts a second review through the alias,
 * and shows the first one resumed by dev's sweeper on v1 (its chained call on
 * the notifier's v1) while the second runs on v2. Nothing runs on `$LATEST`;
 * every side effect happens once.
 *
 * It works on a copy of the sample under `.durable/dev-demo/`, so renaming the
 * step leaves the sample's sources alone.
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
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-sample`;
/** Longer than the function's timeout: the review must suspend and be resumed by the sweeper. */
const COOLDOWN_SECONDS = 12;
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

function copySample(): void {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const folder of ['src', 'events'])
    cpSync(path.join(SAMPLE_APP, folder), path.join(work, folder), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(SAMPLE_APP, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    path.join(work, 'package.json'),
    `${JSON.stringify({ ...pkg, name: '@durable/sample-dev-demo' }, null, 2)}\n`,
  );
  const tsconfig = JSON.parse(readFileSync(path.join(SAMPLE_APP, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  tsconfig.extends = path.resolve(SAMPLE_APP, '../../tsconfig.base.json');
  writeFileSync(path.join(work, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
}

async function cli(args: string[], indent = true): Promise<CliRun> {
  const run = await durableGen(args, { cwd: work, env });
  if (run.code !== 0) fail(`durable-gen ${args.join(' ')} failed`, `${run.stdout.join('\n')}\n${run.stderr}`);
  if (indent) for (const line of run.stdout) console.log(`  ${line}`);
  return run;
}

async function deployVersion(): Promise<void> {
  await cli(['generate', '--account', ACCOUNT, '--region', REGION], false);
  await cli(['bundle'], false);
  await cli([
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
  const event = JSON.parse(readFileSync(path.join(work, 'events', 'pull-request-opened.json'), 'utf8')) as {
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
  const result = JSON.parse(new TextDecoder().decode(answer.Payload)) as { status: string; resumeAt?: string };
  console.log(
    `  ${executionId}: ran on reviews version ${answer.ExecutedVersion} through alias live → ${result.status}` +
      (result.resumeAt === undefined ? '' : dim(`  (resumeAt ${result.resumeAt})`)),
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

copySample();
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
  await deployVersion();

  heading(
    3,
    'Start a review',
    `its cooldown (${COOLDOWN_SECONDS} s) outlives the function's ${FUNCTION_TIMEOUT_SECONDS} s timeout`,
  );
  await startReview('review-on-v1', 42, COOLDOWN_SECONDS);

  heading(4, 'Rename a step and deploy v2', 'createReviewThread → openReviewThread: breaking for running executions');
  const source = path.join(work, 'src', 'review-service.ts');
  writeFileSync(source, readFileSync(source, 'utf8').replaceAll('createReviewThread', 'openReviewThread'));
  await deployVersion();
  const first = await execution('review-on-v1');
  console.log(`  review-on-v1 is ${first?.status}, pinned to reviews version ${first?.pinnedVersion?.version}`);

  heading(5, 'Start another review', 'through the alias, which now points at v2');
  await startReview('review-on-v2', 43, 1);

  heading(6, 'Wait', "dev's sweeper resumes each due execution on the version it is pinned to");
  await waitForSuccess(['review-on-v1', 'review-on-v2'], Date.now() + (COOLDOWN_SECONDS + 30) * 1000);

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
