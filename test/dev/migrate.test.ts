import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../packages/codegen/src/index.js';
import { DynamoDbStore, type ExecutionRecord } from '../../packages/core/src/index.js';
import { assertCoreBuilt, emptyApp, removeMadeDirs, SOURCES } from '../bundle/bundle-app.js';
import { assertCliBuilt, runCli } from '../cli/cli-harness.js';
import { ACCOUNT, generateAndBundle, REGION } from '../deploy/sample-app.js';
import { CLIENT_ENV, type DevProcess, startDev, stopAll, tempRoot } from './dev-process.js';

/**
 * Changing code under running executions, on `durable-gen dev` as a person does it: version 1 of a small app is
 * deployed and two executions wait for a courier (a callback), one a gift (it recorded step `wrap`), one not (it
 * recorded `weigh`). Version 2 renames `wrap`: deploy reports that both stay pinned to version 1, that the new
 * code replays one and that the other diverges at position 2. `migrate --to 2` moves the first, which then ships
 * on version 2, and leaves the gift on version 1, where it ships. `--prune-versions` keeps version 1 while the
 * gift is pinned to it, and deletes it once nothing is. Each execution says which version ran its last step.
 */

const FIXTURE = fileURLToPath(new URL('./fixtures/migrate/', import.meta.url));
const SERVICE = 'parcels';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-migrate-test`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${SERVICE}`;
const GIFT = 'parcel-gift';
const PLAIN = 'parcel-plain';
const WAIT_DEADLINE_MS = 30_000;

let app: string;
let devRoot: { root: string; remove(): void };
let dev: DevProcess;
let lambda: LambdaClient;
let dynamoDb: DynamoDBClient;
let store: DynamoDbStore;
let table: string;

const cli = (args: string[]) => runCli(args, app, CLIENT_ENV);
const deploy = (...extra: string[]) => cli(['deploy', '--endpoint', dev.url, '--role', ROLE, ...extra]);
const migrate = (...args: string[]) => cli(['migrate', SERVICE, '--endpoint', dev.url, ...args]);
const record = (executionId: string) => store.getExecution({ service: SERVICE, executionId });
const pinnedTo = (version: string) => ({ functionArn: FUNCTION_ARN, version });

beforeAll(async () => {
  assertCliBuilt();
  assertCoreBuilt();
  app = emptyApp();
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(path.join(app, 'tsconfig.json'), SOURCES['tsconfig.json']!);
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'migrate-app', type: 'module' })}\n`);
  await generateAndBundle(app);
  devRoot = tempRoot();
  dev = await startDev(devRoot.root);
  const config = { endpoint: dev.url, region: REGION, credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' } };
  lambda = new LambdaClient(config);
  dynamoDb = new DynamoDBClient(config);
  const manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as Manifest;
  table = manifest.services[SERVICE]!.table!;
  store = new DynamoDbStore({ client: dynamoDb, tableName: table });
});

afterAll(async () => {
  lambda?.destroy();
  dynamoDb?.destroy();
  await stopAll();
  devRoot?.remove();
  removeMadeDirs();
});

/** Starts an execution through the alias: it packs, wraps or weighs, and suspends waiting for its courier. */
async function startDelivery(executionId: string, gift: boolean): Promise<void> {
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: SERVICE,
      Qualifier: 'live',
      Payload: JSON.stringify({ executionId, input: { parcel: executionId, gift } }),
    }),
  );
  const result = JSON.parse(Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'));
  expect(answer.FunctionError, JSON.stringify(result)).toBeUndefined();
  expect(result).toMatchObject({ status: 'SUSPENDED', executionId });
}

/** Completes the execution's `handover` callback with `courier`: the completer resumes it on its pinned version. */
async function handOver(executionId: string, courier: string): Promise<void> {
  const completed = await cli([
    'callbacks',
    'complete',
    '--execution',
    executionId,
    '--name',
    'handover',
    '--result',
    JSON.stringify(courier),
    '--table',
    table,
    '--endpoint',
    dev.url,
  ]);
  expect(completed.code, `${completed.stdout}\n${completed.stderr}`).toBe(0);
}

/** Reads the execution until it is SUCCEEDED; fails at the deadline with what it was and what dev printed. */
async function finished(executionId: string): Promise<ExecutionRecord> {
  const deadline = Date.now() + WAIT_DEADLINE_MS;
  let current: ExecutionRecord | undefined;
  while (Date.now() < deadline) {
    current = await record(executionId);
    if (current?.status === 'SUCCEEDED' || current?.status === 'FAILED') break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(current?.status, `${JSON.stringify(current)}\n--- dev ---\n${dev.output()}`).toBe('SUCCEEDED');
  return current!;
}

async function publishedVersions(): Promise<string[]> {
  const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: SERVICE }));
  return (listed.Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
}

describe('durable-gen migrate on dev', () => {
  it('deploys version 1, keeps its schema, and two deliveries wait for their courier on it', async () => {
    const deployed = await deploy();
    expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
    const kept = path.join(app, 'generated/deployed', `${SERVICE}.json`);
    expect(existsSync(kept)).toBe(true);
    const schema = JSON.parse(readFileSync(kept, 'utf8')) as Manifest;
    const entry = schema.services[SERVICE]!;
    expect(entry.deployment?.publishedVersion).toBe('1');
    expect(entry.workflows.deliver?.operations?.map((op) => ('name' in op ? op.name : op.kind))).toContain('handover');
    const manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as Manifest;
    expect(manifest.services[SERVICE]?.deployment?.versions?.[0]).toMatchObject({
      version: '1',
      schemaHashes: { deliver: entry.workflows.deliver?.schemaHash },
    });

    await startDelivery(GIFT, true);
    await startDelivery(PLAIN, false);
    expect(await record(GIFT)).toMatchObject({ status: 'SUSPENDED', pinnedVersion: pinnedTo('1') });
    expect(await record(PLAIN)).toMatchObject({ status: 'SUSPENDED', pinnedVersion: pinnedTo('1') });
  });

  it('deploys version 2 (step wrap renamed), reports what it means for both, and keeps them on version 1', async () => {
    const source = path.join(app, 'src/parcel-service.ts');
    writeFileSync(
      source,
      readFileSync(source, 'utf8')
        .replace('await this.wrap(packed)', 'await this.giftWrap(packed)')
        .replace('async wrap(', 'async giftWrap('),
    );
    await generateAndBundle(app);

    const deployed = await deploy();

    expect(deployed.code, `${deployed.stdout}\n${deployed.stderr}`).toBe(0);
    expect(deployed.stdout).toMatch(/^parcels\s+version 2\s+alias live\s+updated/m);
    expect(deployed.stdout).toContain(
      'parcels: 2 executions running on version 1 stay on it (pinned); on the new code 1 replays ' +
        '(durable-gen migrate parcels --to 2 can move it), 1 diverges at position 2',
    );
    expect(deployed.stdout).toMatch(new RegExp(`^  ${GIFT}  diverges at position 2: .*'wrap'.*'giftWrap'`, 'm'));
    expect(deployed.stdout).toMatch(/^parcels: \d+ schema changes? against the last deployed schema, 1 breaking/m);
    expect(await record(GIFT)).toMatchObject({ status: 'SUSPENDED', pinnedVersion: pinnedTo('1') });
    expect(await record(PLAIN)).toMatchObject({ status: 'SUSPENDED', pinnedVersion: pinnedTo('1') });
  });

  it('refuses a version that is not published, or not newer than --from, moving nothing', async () => {
    const unpublished = await migrate('--to', '7');
    expect(unpublished.code).toBe(1);
    expect(unpublished.stderr).toContain('version 7 is not a published version of function parcels (published: 1, 2)');

    const notNewer = await migrate('--to', '2', '--from', '2');
    expect(notNewer.code).toBe(2);
    expect(notNewer.stderr).toContain('--to 2 is not newer than --from 2');

    const missing = await cli(['migrate', 'nobody', '--to', '2', '--endpoint', dev.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("the manifest has no service 'nobody' (it has: parcels)");

    expect((await record(PLAIN))?.pinnedVersion).toEqual(pinnedTo('1'));
  });

  it('with --dry-run checks both on version 2 and moves neither', async () => {
    const dryRun = await migrate('--to', '2', '--dry-run', '--format', 'json');

    expect(dryRun.code, dryRun.stderr).toBe(1);
    const result = JSON.parse(dryRun.stdout) as { executions: { executionId: string; outcome: string }[] };
    expect(result.executions).toEqual([
      expect.objectContaining({ executionId: GIFT, from: '1', outcome: 'diverges', position: '2' }),
      expect.objectContaining({ executionId: PLAIN, from: '1', outcome: 'would-move' }),
    ]);
    expect((await record(GIFT))?.pinnedVersion).toEqual(pinnedTo('1'));
    expect((await record(PLAIN))?.pinnedVersion).toEqual(pinnedTo('1'));
  });

  it('moves the delivery version 2 replays, which then ships on version 2; the gift stays on version 1', async () => {
    const before = await record(PLAIN);

    const migrated = await migrate('--to', '2');

    // Exit 1: the gift stayed because it diverges.
    expect(migrated.code, migrated.stderr).toBe(1);
    expect(migrated.stdout).toMatch(
      new RegExp(`^${PLAIN}\\s+moved from version 1, its callback's completion resumes it on version 2$`, 'm'),
    );
    expect(migrated.stdout).toMatch(new RegExp(`^${GIFT}\\s+stays on version 1: diverges at position 2: `, 'm'));
    expect(migrated.stdout).toContain('2 executions older than version 2: 1 moved, 1 diverges');
    // Only the pin moved: the same suspension, the same epoch.
    expect(await record(PLAIN)).toEqual({ ...before, pinnedVersion: pinnedTo('2') });
    expect((await record(GIFT))?.pinnedVersion).toEqual(pinnedTo('1'));

    await handOver(PLAIN, 'ana');
    const plain = await finished(PLAIN);
    expect(JSON.parse(plain.output!)).toEqual({ prepared: `packed ${PLAIN}, weighed`, courier: 'ana', shippedOn: '2' });
    expect(plain.pinnedVersion).toEqual(pinnedTo('2'));
  });

  it('--prune-versions keeps version 1 while the gift is pinned to it, and deletes it once the gift shipped', async () => {
    const kept = await deploy('--prune-versions');
    expect(kept.code, `${kept.stdout}\n${kept.stderr}`).toBe(0);
    expect(kept.stdout).toContain('parcels: no version deleted');
    expect(kept.stdout).toContain(`  kept version 1: 1 running execution pinned to it: ${GIFT}`);
    expect(await publishedVersions()).toEqual(['1', '2']);

    await handOver(GIFT, 'bo');
    const gift = await finished(GIFT);
    expect(JSON.parse(gift.output!)).toEqual({ prepared: `packed ${GIFT}, wrapped`, courier: 'bo', shippedOn: '1' });
    expect(gift.pinnedVersion).toEqual(pinnedTo('1'));

    const pruned = await deploy('--prune-versions');
    expect(pruned.code, `${pruned.stdout}\n${pruned.stderr}`).toBe(0);
    expect(pruned.stdout).toContain('parcels: deleted version 1');
    expect(await publishedVersions()).toEqual(['2']);

    const nothingLeft = await migrate('--to', '2');
    expect(nothingLeft.code).toBe(0);
    expect(nothingLeft.stdout).toContain('no running execution of parcels is pinned to a version older than 2');
  });
});
