import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_TABLE, DynamoDbStore, type ExecutionRecord } from '../../packages/core/src/index.js';
import { removeMadeDirs } from '../bundle/bundle-app.js';
import { assertCliBuilt, cleanUp, runCli } from '../cli/cli-harness.js';
import { bundledSampleApp } from '../deploy/sample-app.js';
import { CLIENT_ENV, type DevProcess, REGION, ROLE, startDev, stopAll } from './dev-process.js';

/**
 * A durable execution in flight when `durable-gen dev` is killed with
 * SIGKILL: started again on the same folder, dev still has the functions,
 * versions and the checkpoint table, its sweeper finds the sleeping review and
 * resumes it on the version it is pinned to, and no side effect happens twice.
 */

const credentials = { accessKeyId: 'dev', secretAccessKey: 'dev' };

afterAll(async () => {
  await stopAll();
  await cleanUp();
  removeMadeDirs();
});

async function executionOn(dev: DevProcess, executionId: string): Promise<ExecutionRecord | undefined> {
  const client = new DynamoDBClient({ endpoint: dev.url, region: REGION, credentials });
  try {
    return await new DynamoDbStore({ client, tableName: DEFAULT_TABLE }).getExecution({
      service: 'reviews',
      executionId,
    });
  } finally {
    client.destroy();
  }
}

it('resumes a review that was asleep when dev was killed, on its pinned version, each side effect once', async () => {
  assertCliBuilt();
  const app = await bundledSampleApp();
  const outbox = path.join(app, 'outbox.jsonl');
  let dev = await startDev(app);
  const deployed = await runCli(
    ['deploy', '--endpoint', dev.url, '--role', ROLE, '--timeout', '3', '--env', `SAMPLE_OUTBOX=${outbox}`],
    app,
    CLIENT_ENV,
  );
  expect(deployed.code, deployed.stderr).toBe(0);

  const event = JSON.parse(readFileSync(path.join(app, 'events/pull-request-opened.json'), 'utf8'));
  const lambda = new LambdaClient({ endpoint: dev.url, region: REGION, credentials });
  try {
    // The cooldown outlives the 3 s timeout: the review suspends, due a few seconds from now.
    const payload = { executionId: 'in-flight-review', input: { ...event, cooldownSeconds: 4 } };
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'reviews', Qualifier: 'live', Payload: JSON.stringify(payload) }),
    );
    expect(JSON.parse(Buffer.from(answer.Payload ?? []).toString())).toMatchObject({ status: 'SUSPENDED' });
  } finally {
    lambda.destroy();
  }
  await dev.kill();

  dev = await startDev(app);
  const deadline = Date.now() + 60_000;
  let record = await executionOn(dev, 'in-flight-review');
  while (record?.status !== 'SUCCEEDED') {
    expect(record?.status, JSON.stringify(record)).not.toBe('FAILED');
    if (Date.now() > deadline) throw new Error(`not resumed after the restart:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    record = await executionOn(dev, 'in-flight-review');
  }
  expect(record.pinnedVersion?.version).toBe('1');
  expect(dev.output()).toMatch(/\[sweeper\] reviews .*resumed 1 \(in-flight-review on reviews:1\)/);

  const effects = readFileSync(outbox, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { effect: string; version?: string });
  expect(effects.map((e) => e.effect).sort()).toEqual([
    'analysis',
    'chat.message',
    'db.save',
    'github.comment',
    'github.review',
  ]);
  expect(effects.every((e) => e.version === '1')).toBe(true);
});
