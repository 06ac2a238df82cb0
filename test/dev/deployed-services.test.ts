import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer } from '../../packages/cli/src/dev/dev-server.js';
import type { Manifest } from '../../packages/codegen/src/index.js';
import {
  DynamoDbStore,
  type ExecutionRecord,
  type PendingCallback,
  type SweepResult,
  sweepEvent,
} from '../../packages/core/src/index.js';
import { assertCoreBuilt, emptyApp, removeMadeDirs, SOURCES } from '../bundle/bundle-app.js';
import { assertCliBuilt, cleanUp, runCli } from '../cli/cli-harness.js';
import { ACCOUNT, generateAndBundle, REGION } from '../deploy/sample-app.js';

/**
 * Services deployed to `durable-gen dev` with `durable-gen deploy`, resumed
 * the ways a deployed execution is: by the sweeper when its sleep is due,
 * and at once by the completer of its callback (`durable-gen callbacks
 * complete` on the table, invoking the version the execution is pinned to),
 * or by the next sweep when the completer only records the outcome. Every
 * wait is for a condition with a deadline; the one time bound asserted is
 * the sweeper's, measured between timestamps the executions recorded.
 */

const FIXTURE = fileURLToPath(new URL('./fixtures/deployed-services/', import.meta.url));
const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-dev-services-test`;
const AWS_ENV = {
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const SWEEP_INTERVAL_MS = 1000;
/** Longer than any test here: a dev whose loop sweeps only once, at its start, before anything is deployed. */
const NO_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/**
 * What the sweeper's lateness (resumeAt to the recorded result) may exceed two intervals by. Expected: at most
 * one interval (the first round after resumeAt) plus the work that follows on warm processes, a sweep
 * invocation (one index query, one asynchronous invoke), the event queue's hand-over and the resumed invocation
 * (claim, journal read, one step, the final write): tens of ms on an idle machine. The second interval absorbs a
 * late timer or a round that skipped the function behind a slow sweep. The work is what grows with load:
 * measured with two busy loops on top of other test runs (load average 8 on 2 cores), the resumed invocation
 * alone took up to 0.83 s and the lateness 0.5 to 1.6 s. So 1 s on top of the two intervals: a failure means
 * the sweeper missed rounds, or a machine far busier than that.
 */
const SWEEP_ALLOWANCE_MS = 1000;
const WAIT_DEADLINE_MS = 30_000;

let app: string;
let manifest: Manifest;

beforeAll(async () => {
  assertCliBuilt();
  assertCoreBuilt();
  app = emptyApp();
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(path.join(app, 'tsconfig.json'), SOURCES['tsconfig.json']!);
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'dev-services-app', type: 'module' })}\n`);
  await generateAndBundle(app);
  manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as Manifest;
});

afterAll(async () => {
  await cleanUp();
  removeMadeDirs();
});

/** A dev server on a state folder of its own, with one service of the app deployed to it, and clients for both. */
async function devWith(service: string, sweepIntervalMs: number) {
  const log: string[] = [];
  const server = await startDevServer({
    root: emptyApp(),
    port: 0,
    accountId: ACCOUNT,
    region: REGION,
    sweepIntervalMs,
    log: (line) => log.push(line),
  });
  const config = {
    endpoint: server.url,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const lambda = new LambdaClient(config);
  const dynamoDb = new DynamoDBClient(config);
  const table = manifest.services[service]!.table;
  if (table === undefined)
    throw new Error(`service '${service}' has no table: these tests deploy dynamodb-backend services`);
  const dev = {
    url: server.url,
    log,
    lambda,
    store: new DynamoDbStore({ client: dynamoDb, tableName: table }),
    table,
    close: async () => {
      lambda.destroy();
      dynamoDb.destroy();
      await server.close();
    },
  };
  try {
    const deployed = await runCli(
      ['deploy', '--endpoint', server.url, '--role', ROLE, '--service', service],
      app,
      AWS_ENV,
    );
    expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
  } catch (error) {
    await dev.close();
    throw error;
  }
  return dev;
}

type Dev = Awaited<ReturnType<typeof devWith>>;

/** Invokes `functionName:live` and returns the version that ran and the handler's answer. */
async function invokeLive(dev: Dev, functionName: string, event: unknown) {
  const answer = await dev.lambda.send(
    new InvokeCommand({ FunctionName: functionName, Qualifier: 'live', Payload: JSON.stringify(event) }),
  );
  const result = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));
  expect(answer.FunctionError, JSON.stringify(result)).toBeUndefined();
  return { version: answer.ExecutedVersion, result };
}

/** Reads the execution until it has `status`; fails at the deadline with what it was and what dev logged. */
async function waitForStatus(dev: Dev, service: string, executionId: string, status: ExecutionRecord['status']) {
  const deadline = Date.now() + WAIT_DEADLINE_MS;
  let record: ExecutionRecord | undefined;
  while (Date.now() < deadline) {
    record = await dev.store.getExecution({ service, executionId });
    if (record?.status === status) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `execution ${executionId} is not ${status} after ${WAIT_DEADLINE_MS} ms: ${JSON.stringify(record)}\n` +
      `--- dev log ---\n${dev.log.join('\n')}`,
  );
}

const pinnedTo = (functionName: string, version: string) => ({
  functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
  version,
});

describe('a deployed execution suspended in a sleep', () => {
  let dev: Dev;

  beforeAll(async () => {
    dev = await devWith('napper', SWEEP_INTERVAL_MS);
    // Two warm execution environments (two sweeps at once, with nothing due): the loop's sweep takes one and the
    // resume it sends the other, so what is timed is the sweeper, not the cold start of a runtime process.
    const warmUps = await Promise.all([1, 2].map(() => invokeLive(dev, 'napper', sweepEvent('napper'))));
    expect(warmUps.map(({ result }) => (result as SweepResult).resumed)).toEqual([[], []]);
  });

  afterAll(async () => {
    await dev?.close();
  });

  it('is resumed by the sweeper within two sweep intervals of its resumeAt, on the version it is pinned to', async () => {
    const key = { service: 'napper', executionId: 'nap-1' };
    const first = await invokeLive(dev, 'napper', { executionId: key.executionId, input: {} });
    expect(first.version).toBe('1');
    expect(first.result).toEqual({ status: 'SUSPENDED', executionId: key.executionId, resumeAt: expect.any(Number) });
    const { resumeAt } = first.result as { resumeAt: number };
    const suspended = await dev.store.getExecution(key);
    expect(suspended).toMatchObject({ status: 'SUSPENDED', resumeAt, pinnedVersion: pinnedTo('napper', '1') });

    const finished = await waitForStatus(dev, key.service, key.executionId, 'SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({ before: 'before@1', after: 'after@1' });
    expect(finished.pinnedVersion).toEqual(pinnedTo('napper', '1'));
    // One invocation suspended it, one resumed it: nothing ran it in between.
    expect(finished.invocations).toBe(2);
    expect(dev.log).toContainEqual(expect.stringMatching(/^\[sweeper\] napper\b.*\bresumed 1\b/));

    // Both ends as the execution recorded them: the nap's wake time, and the write of its result.
    const journal = await dev.store.loadJournal(key);
    const nap = journal.find((record) => record.kind === 'sleep');
    expect(nap?.wakeAt).toBe(resumeAt);
    const lateMs = finished.updatedAt - resumeAt;
    console.info(`napper: finished ${lateMs} ms after its resumeAt (sweep interval ${SWEEP_INTERVAL_MS} ms)`);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThanOrEqual(2 * SWEEP_INTERVAL_MS + SWEEP_ALLOWANCE_MS);
  });
});

describe('a deployed execution waiting for a callback', () => {
  let dev: Dev;
  const callbacks = (args: string[]) =>
    runCli(['callbacks', ...args, '--table', dev.table, '--endpoint', dev.url], app, AWS_ENV);

  beforeAll(async () => {
    // The loop's one round runs as dev starts, before approvals exists: only the completer, or a sweep this
    // test sends, can resume an execution here.
    dev = await devWith('approvals', NO_SWEEP_INTERVAL_MS);
  });

  afterAll(async () => {
    await dev?.close();
  });

  it('resumes at once on its pinned version when durable-gen callbacks complete records the result', async () => {
    const key = { service: 'approvals', executionId: 'approve-1' };
    const first = await invokeLive(dev, 'approvals', { executionId: key.executionId, input: { document: 'spec' } });
    expect(first).toMatchObject({ version: '1', result: { status: 'SUSPENDED', executionId: key.executionId } });

    const listed = await callbacks(['list', '--format', 'json']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const pending = JSON.parse(listed.stdout) as PendingCallback[];
    expect(pending).toEqual([expect.objectContaining({ ...key, name: 'approval', position: '1' })]);

    const completed = await callbacks(['complete', pending[0]!.token, '--result', '{"approvedBy":"ana"}']);
    expect(completed.stderr).toBe('');
    expect(completed.code).toBe(0);
    expect(completed.stdout).toContain(
      `Resumed: sent to arn:aws:lambda:${REGION}:${ACCOUNT}:function:approvals:1 (the version it is pinned to).`,
    );

    const finished = await waitForStatus(dev, key.service, key.executionId, 'SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({
      document: 'spec',
      verdict: { approvedBy: 'ana' },
      resumedOn: '1',
    });
    expect(finished.pinnedVersion).toEqual(pinnedTo('approvals', '1'));
    expect(finished.invocations).toBe(2);
    // The sweeper logs every execution it resumes: it resumed none.
    expect(dev.log.filter((line) => line.startsWith('[sweeper]'))).toEqual([]);
    const callback = (await dev.store.loadJournal(key)).find((record) => record.kind === 'callback');
    console.info(`approvals: finished ${finished.updatedAt - callback!.updatedAt} ms after the completion`);
  });

  it('stays suspended when the completer only records the result (--no-resume), until a sweep resumes it', async () => {
    const key = { service: 'approvals', executionId: 'approve-2' };
    const first = await invokeLive(dev, 'approvals', { executionId: key.executionId, input: { document: 'plan' } });
    expect(first.result).toMatchObject({ status: 'SUSPENDED', executionId: key.executionId });

    const completed = await callbacks([
      'complete',
      '--execution',
      key.executionId,
      '--name',
      'approval',
      '--result',
      '{"approvedBy":"bo"}',
      '--no-resume',
    ]);
    expect(completed.stderr).toBe('');
    expect(completed.code).toBe(0);
    expect(completed.stdout).not.toContain('Resumed');
    expect(completed.stdout).toContain(
      `It is due now: invoke arn:aws:lambda:${REGION}:${ACCOUNT}:function:approvals:1 (the version it is pinned to) ` +
        `with {"executionId":"${key.executionId}"} to resume it`,
    );

    // Recorded and due, not resumed: still suspended after its one invocation.
    const due = await dev.store.getExecution(key);
    expect(due).toMatchObject({ status: 'SUSPENDED', invocations: 1, resumeAt: expect.any(Number) });
    const callback = (await dev.store.loadJournal(key)).find((record) => record.kind === 'callback');
    expect(callback).toMatchObject({ status: 'SUCCEEDED' });

    // The sweep the loop would send: it finds the execution still due, and resumes it on its pinned version.
    const swept = await invokeLive(dev, 'approvals', sweepEvent('approvals'));
    expect(swept.result as SweepResult).toEqual({
      status: 'SWEPT',
      service: 'approvals',
      resumed: [{ executionId: key.executionId, functionArn: `${pinnedTo('approvals', '1').functionArn}:1` }],
      failed: [],
      more: false,
    });
    const finished = await waitForStatus(dev, key.service, key.executionId, 'SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({
      document: 'plan',
      verdict: { approvedBy: 'bo' },
      resumedOn: '1',
    });
    expect(finished.invocations).toBe(2);
  });
});
