import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneVersions } from '../../packages/cli/src/deploy/prune-versions.js';
import { type DevServer, startDevServer } from '../../packages/cli/src/dev/dev-server.js';
import { type ClaimRequest, MemoryStore, type PinnedVersion } from '../../packages/core/src/index.js';

/**
 * `deploy --prune-versions`' rule, against `durable-gen dev`'s Lambda API and a store of pinned executions: a
 * version older than the live one goes only when no alias routes to it and no running execution is pinned to it.
 */

const SERVICE = 'ledger';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${SERVICE}`;
const T0 = Date.UTC(2026, 11, 1);

let root: string;
let server: DevServer;
let lambda: LambdaClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'durable-prune-'));
  server = await startDevServer({ root, port: 0, pendingMs: 0, region: 'us-east-1', log: () => {} });
  lambda = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const zipOf = (n: number) =>
  zipSync({ 'index.mjs': new TextEncoder().encode(`export const handler = async () => ${n};`) });

/** The function with versions 1 to `count`, each of other code; alias `live` on the last one. */
async function functionWithVersions(name: string, count: number): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/prune-test',
      Code: { ZipFile: zipOf(1) },
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  for (let n = 2; n <= count; n++) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zipOf(n) }));
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
  }
  await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: String(count) }));
}

/** An execution of the service pinned to `version`, left as `status`. */
async function executionOn(
  store: MemoryStore,
  executionId: string,
  version: PinnedVersion,
  status: 'SUSPENDED' | 'RUNNING' | 'SUCCEEDED',
): Promise<void> {
  const claim: ClaimRequest = {
    key: { service: SERVICE, executionId },
    workflow: 'post',
    input: { serialized: '{}', hash: 'h' },
    owner: 'owner',
    now: T0,
    leaseExpiresAt: T0 + 60_000,
    timeoutAt: T0 + 86_400_000,
    expiresAt: T0 + 2 * 86_400_000,
    version,
  };
  expect((await store.claim(claim)).kind).toBe('claimed');
  if (status === 'SUSPENDED') await store.transition(claim.key, 'owner', { status, resumeAt: undefined }, T0 + 1);
  if (status === 'SUCCEEDED') await store.transition(claim.key, 'owner', { status, output: '"ok"' }, T0 + 1);
}

async function versionsOf(name: string): Promise<string[]> {
  const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
  return (listed.Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
}

describe('pruneVersions', () => {
  it('deletes only the older versions no alias routes to and no running execution is pinned to', async () => {
    await functionWithVersions(SERVICE, 6);
    // Aliases on versions 1 and 2 (dev routes no alias to several versions; AWS's weights count the same way).
    await lambda.send(new CreateAliasCommand({ FunctionName: SERVICE, Name: 'canary', FunctionVersion: '1' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: SERVICE, Name: 'previous', FunctionVersion: '2' }));
    const store = new MemoryStore();
    await executionOn(store, 'suspended-on-3', { functionArn: FUNCTION_ARN, version: '3' }, 'SUSPENDED');
    await executionOn(store, 'running-on-3', { functionArn: FUNCTION_ARN, version: '3' }, 'RUNNING');
    await executionOn(store, 'finished-on-4', { functionArn: FUNCTION_ARN, version: '4' }, 'SUCCEEDED');
    // Version 5 of another function with the same name elsewhere: it pins nothing of this one.
    await executionOn(store, 'elsewhere-on-5', { functionArn: `${FUNCTION_ARN}-copy`, version: '5' }, 'SUSPENDED');

    const outcome = await pruneVersions({
      lambda,
      store,
      service: SERVICE,
      functionName: SERVICE,
      functionArn: FUNCTION_ARN,
      live: '6',
    });

    expect(outcome).toEqual({
      service: SERVICE,
      deleted: ['4', '5'],
      kept: [
        { version: '1', reason: 'alias', aliases: ['canary'] },
        { version: '2', reason: 'alias', aliases: ['previous'] },
        { version: '3', reason: 'executions', executionIds: ['running-on-3', 'suspended-on-3'] },
        { version: '6', reason: 'live' },
      ],
    });
    expect(await versionsOf(SERVICE)).toEqual(['1', '2', '3', '6']);
  });

  it('never deletes the live version nor a newer one', async () => {
    await functionWithVersions('journal', 3);
    // Live moved back to version 2 (a rollback): version 3 is newer and stays, version 1 goes.
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'journal', Name: 'live', FunctionVersion: '2' }));

    const outcome = await pruneVersions({
      lambda,
      store: new MemoryStore(),
      service: 'journal',
      functionName: 'journal',
      functionArn: FUNCTION_ARN.replace(SERVICE, 'journal'),
      live: '2',
    });

    expect(outcome.deleted).toEqual(['1']);
    expect(await versionsOf('journal')).toEqual(['2', '3']);
  });
});
