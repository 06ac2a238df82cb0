import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, type DevServerOptions, startDevServer } from './dev-server.js';

const ROLE = 'arn:aws:iam::123456789012:role/dev-test';
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

/** A real zip of one `index.mjs`. */
function zipOf(source: string): Uint8Array {
  return zipSync({ 'index.mjs': new TextEncoder().encode(source) }, { mtime: new Date('2020-01-01T00:00:00Z') });
}

const CODE_1 = zipOf('export const handler = async () => 1;');
const CODE_2 = zipOf('export const handler = async () => 2;');

interface Harness {
  root: string;
  server: DevServer;
  lambda: LambdaClient;
  lines: string[];
}

const started: Harness[] = [];
const roots: string[] = [];

async function start(options: Partial<DevServerOptions> = {}, root?: string): Promise<Harness> {
  const folder = root ?? mkdtempSync(path.join(os.tmpdir(), 'durable-dev-server-'));
  if (root === undefined) roots.push(folder);
  const lines: string[] = [];
  const server = await startDevServer({
    root: folder,
    port: 0,
    pendingMs: 0,
    region: 'us-east-1',
    log: (line) => lines.push(line),
    ...options,
  });
  const lambda = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
    maxAttempts: 1,
  });
  const harness = { root: folder, server, lambda, lines };
  started.push(harness);
  return harness;
}

async function stop(harness: Harness): Promise<void> {
  started.splice(started.indexOf(harness), 1);
  harness.lambda.destroy();
  await harness.server.close();
}

afterEach(async () => {
  for (const harness of [...started]) await stop(harness);
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function create(lambda: LambdaClient, name: string, extra: Record<string, unknown> = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: CODE_1 },
      ...extra,
    }),
  );
}

/** The error a request is refused with (the test fails if it is not refused). */
async function refusal(request: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await request;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('the request was not refused');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

describe('the dev server control plane, through @aws-sdk/client-lambda', () => {
  it('creates a function shaped as Lambda shapes it: defaults, CodeSha256, Pending then Active', async () => {
    const { lambda, lines } = await start({ pendingMs: 500 });
    const created = await create(lambda, 'reviews', { Environment: { Variables: { A: '1' } }, Timeout: 10 });
    expect(created).toMatchObject({
      FunctionName: 'reviews',
      FunctionArn: `${ARN}:reviews`,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      CodeSize: CODE_1.length,
      CodeSha256: sha256(CODE_1),
      Version: '$LATEST',
      Timeout: 10,
      MemorySize: 128,
      Environment: { Variables: { A: '1' } },
      State: 'Pending',
      LastUpdateStatus: 'InProgress',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
    });
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    await waitForActive(lambda, 'reviews');
    const fetched = await lambda.send(new GetFunctionCommand({ FunctionName: 'reviews' }));
    expect(fetched.Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });
    expect(fetched.Code?.Location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const zip = await fetch(fetched.Code!.Location!);
    expect(new Uint8Array(await zip.arrayBuffer())).toEqual(CODE_1);
    expect(lines).toContain(
      `created function reviews (sha256 ${createHash('sha256').update(CODE_1).digest('hex').slice(0, 8)}…)`,
    );

    const taken = await refusal(create(lambda, 'reviews'));
    expect(taken.name).toBe('ResourceConflictException');
  });

  it('refuses updates and publishes while a function is being created or updated, as Lambda does', async () => {
    // Long enough that no request of this test comes after it.
    const { lambda } = await start({ pendingMs: 120_000 });
    await create(lambda, 'creating');
    for (const request of [
      new PublishVersionCommand({ FunctionName: 'creating' }),
      new UpdateFunctionCodeCommand({ FunctionName: 'creating', ZipFile: CODE_2 }),
    ]) {
      const early = await refusal(lambda.send(request as PublishVersionCommand));
      expect(early.name).toBe('ResourceConflictException');
      expect(early.$metadata.httpStatusCode).toBe(409);
      expect(early.message).toMatch(/currently in the following state: Pending/);
    }
  });

  it('updates code and configuration: InProgress until the waiter sees Successful; stale revisions are refused', async () => {
    const { lambda, lines } = await start({ pendingMs: 500 });
    const created = await create(lambda, 'reviews', { Environment: { Variables: { KEEP: 'yes' } }, MemorySize: 256 });
    await waitForActive(lambda, 'reviews');
    // Becoming Active changes nothing a client could depend on: the revision it saw at create still holds.
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'reviews', ZipFile: CODE_2, RevisionId: created.RevisionId }),
    );
    expect(updated).toMatchObject({ CodeSha256: sha256(CODE_2), State: 'Active', LastUpdateStatus: 'InProgress' });
    expect(updated.RevisionId).not.toBe(created.RevisionId);
    const busy = await refusal(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'reviews', Timeout: 9 })),
    );
    expect(busy.name).toBe('ResourceConflictException');
    expect(busy.message).toMatch(/update is in progress/);
    await waitForUpdated(lambda, 'reviews');

    const stale = await refusal(
      lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'reviews', Timeout: 9, RevisionId: created.RevisionId }),
      ),
    );
    expect(stale.name).toBe('PreconditionFailedException');
    expect(stale.$metadata.httpStatusCode).toBe(412);
    const configured = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'reviews',
        Timeout: 9,
        Environment: { Variables: { OTHER: 'x' } },
        RevisionId: updated.RevisionId,
      }),
    );
    // Members left out keep their values; Environment replaces the variables as a whole.
    expect(configured).toMatchObject({ Timeout: 9, MemorySize: 256, Environment: { Variables: { OTHER: 'x' } } });
    expect(configured.CodeSha256).toBe(sha256(CODE_2));
    await waitForUpdated(lambda, 'reviews');
    expect(lines).toContain('updated configuration of reviews');
  });

  it('publishes snapshots: unchanged publishes answer the last version, CodeSha256 and RevisionId make it conditional', async () => {
    const { lambda, lines } = await start();
    const created = await create(lambda, 'reviews', { Publish: true, Timeout: 5 });
    expect(created).toMatchObject({ Version: '1', FunctionArn: `${ARN}:reviews:1` });
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: 'reviews' }));
    expect(again).toMatchObject({ Version: '1', RevisionId: created.RevisionId });

    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'reviews', ZipFile: CODE_2 }));
    const wrongSha = await refusal(
      lambda.send(new PublishVersionCommand({ FunctionName: 'reviews', CodeSha256: sha256(CODE_1) })),
    );
    expect(wrongSha.name).toBe('InvalidParameterValueException');
    expect(wrongSha.$metadata.httpStatusCode).toBe(400);
    const wrongRevision = await refusal(
      lambda.send(new PublishVersionCommand({ FunctionName: 'reviews', RevisionId: created.RevisionId })),
    );
    expect(wrongRevision.name).toBe('PreconditionFailedException');
    const second = await lambda.send(
      new PublishVersionCommand({ FunctionName: 'reviews', CodeSha256: sha256(CODE_2), Description: 'second' }),
    );
    expect(second).toMatchObject({ Version: '2', Description: 'second', CodeSha256: sha256(CODE_2) });
    expect(lines).toContain(
      `published reviews:2 (sha256 ${createHash('sha256').update(CODE_2).digest('hex').slice(0, 8)}…)`,
    );

    // Each version keeps its own snapshot, whatever $LATEST becomes.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'reviews', Timeout: 30 }));
    const first = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'reviews', Qualifier: '1' }));
    expect(first).toMatchObject({
      Version: '1',
      Timeout: 5,
      CodeSha256: sha256(CODE_1),
      FunctionArn: `${ARN}:reviews:1`,
    });
    const listed = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'reviews' }));
    expect(listed.Versions?.map((v) => [v.Version, v.FunctionArn, v.Timeout])).toEqual([
      ['$LATEST', `${ARN}:reviews:$LATEST`, 30],
      ['1', `${ARN}:reviews:1`, 5],
      ['2', `${ARN}:reviews:2`, 5],
    ]);
    const third = await lambda.send(new PublishVersionCommand({ FunctionName: 'reviews' }));
    expect(third.Version).toBe('3');
    const functions = await lambda.send(new ListFunctionsCommand({}));
    expect(functions.Functions?.map((f) => [f.FunctionArn, f.Version])).toEqual([[`${ARN}:reviews`, '$LATEST']]);
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    expect(all.Functions?.map((f) => f.Version)).toEqual(['$LATEST', '1', '2', '3']);
  });

  it('keeps aliases: moved, listed, read as configurations; a version an alias points to cannot be deleted', async () => {
    const { lambda, lines } = await start();
    await create(lambda, 'reviews', { Publish: true });
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'reviews', ZipFile: CODE_2, Publish: true }));
    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'reviews', Name: 'live', FunctionVersion: '1' }),
    );
    expect(alias).toMatchObject({ AliasArn: `${ARN}:reviews:live`, Name: 'live', FunctionVersion: '1' });
    expect(lines).toContain('alias reviews:live -> 1');
    const stale = await refusal(
      lambda.send(
        new UpdateAliasCommand({ FunctionName: 'reviews', Name: 'live', FunctionVersion: '2', RevisionId: 'x' }),
      ),
    );
    expect(stale.name).toBe('PreconditionFailedException');
    const moved = await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'reviews',
        Name: 'live',
        FunctionVersion: '2',
        RevisionId: alias.RevisionId,
      }),
    );
    expect(moved.FunctionVersion).toBe('2');
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'reviews', Name: 'live' }))).FunctionVersion).toBe(
      '2',
    );
    await lambda.send(new CreateAliasCommand({ FunctionName: `${ARN}:reviews`, Name: 'old', FunctionVersion: '1' }));
    const listed = await lambda.send(new ListAliasesCommand({ FunctionName: 'reviews' }));
    expect(listed.Aliases?.map((a) => [a.Name, a.FunctionVersion])).toEqual([
      ['live', '2'],
      ['old', '1'],
    ]);
    const onlyOne = await lambda.send(new ListAliasesCommand({ FunctionName: 'reviews', FunctionVersion: '1' }));
    expect(onlyOne.Aliases?.map((a) => a.Name)).toEqual(['old']);
    const viaAlias = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'reviews:live' }));
    expect(viaAlias).toMatchObject({ Version: '2', FunctionArn: `${ARN}:reviews:live`, CodeSha256: sha256(CODE_2) });

    expect(
      (await refusal(lambda.send(new CreateAliasCommand({ FunctionName: 'reviews', Name: '7', FunctionVersion: '1' }))))
        .name,
    ).toBe('InvalidParameterValueException');
    expect(
      (
        await refusal(
          lambda.send(new CreateAliasCommand({ FunctionName: 'reviews', Name: 'next', FunctionVersion: '9' })),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    const inUse = await refusal(lambda.send(new DeleteFunctionCommand({ FunctionName: 'reviews', Qualifier: '1' })));
    expect(inUse.name).toBe('ResourceConflictException');
    expect(inUse.message).toMatch(/aliases reference it: \[old\]/);
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'reviews', Name: 'old' }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'reviews', Qualifier: '1' }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'reviews' }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '2']);
    const latest = await refusal(
      lambda.send(new DeleteFunctionCommand({ FunctionName: 'reviews', Qualifier: '$LATEST' })),
    );
    expect(latest.name).toBe('InvalidParameterValueException');

    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'reviews' }));
    expect((await refusal(lambda.send(new GetFunctionCommand({ FunctionName: 'reviews' })))).name).toBe(
      'ResourceNotFoundException',
    );
    expect(lines).toContain('deleted function reviews');
  });

  it('keeps tags and event invoke configs', async () => {
    const { lambda } = await start();
    await create(lambda, 'reviews', { Tags: { team: 'a' }, Publish: true });
    const resource = `${ARN}:reviews`;
    await lambda.send(new TagResourceCommand({ Resource: resource, Tags: { 'durable:service': 'reviews' } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: resource }))).Tags).toEqual({
      team: 'a',
      'durable:service': 'reviews',
    });
    await lambda.send(new UntagResourceCommand({ Resource: resource, TagKeys: ['team'] }));
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'reviews' }))).Tags).toEqual({
      'durable:service': 'reviews',
    });

    const missing = await refusal(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'reviews', Qualifier: '1' })),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'reviews', Qualifier: '1', MaximumRetryAttempts: 0 }),
    );
    expect(put).toMatchObject({ FunctionArn: `${resource}:1`, MaximumRetryAttempts: 0 });
    expect(put.LastModified).toBeInstanceOf(Date);
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'reviews:1' }));
    expect(got.MaximumRetryAttempts).toBe(0);
    const tooMany = await refusal(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'reviews', MaximumRetryAttempts: 3 })),
    );
    expect(tooMany.name).toBe('InvalidParameterValueException');
  });

  it("answers errors as Lambda shapes them: the SDK's exception class, status and message", async () => {
    const { lambda } = await start();
    const unknown = await refusal(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nobody' })));
    expect(unknown.name).toBe('ResourceNotFoundException');
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    expect(unknown.message).toBe(`Function not found: ${ARN}:nobody`);
    expect(unknown).toMatchObject({ Type: 'User' });

    await create(lambda, 'reviews');
    for (const qualifier of ['4', 'staging']) {
      const error = await refusal(
        lambda.send(new GetFunctionCommand({ FunctionName: 'reviews', Qualifier: qualifier })),
      );
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.message).toContain(`${ARN}:reviews:${qualifier}`);
    }
    const otherRegion = await refusal(
      lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews' })),
    );
    expect(otherRegion.name).toBe('ResourceNotFoundException');
    const python = await refusal(create(lambda, 'py', { Runtime: 'python3.12' }));
    expect(python.name).toBe('InvalidParameterValueException');
    const native = await refusal(create(lambda, 'native', { DurableConfig: { ExecutionTimeout: 900 } }));
    expect(native.name).toBe('InvalidParameterValueException');
    expect(native.message).toMatch(/does not host Lambda durable functions .*LocalDurableTestRunner/);
    const reserved = await refusal(create(lambda, 'env', { Environment: { Variables: { AWS_REGION: 'x' } } }));
    expect(reserved.name).toBe('InvalidParameterValueException');
    expect(reserved.message).toMatch(/reserved keys .*AWS_REGION/);
    const notAZip = await refusal(create(lambda, 'broken', { Code: { ZipFile: new TextEncoder().encode('hello') } }));
    expect(notAZip.name).toBe('InvalidParameterValueException');
    expect(notAZip.message).toMatch(/Could not unzip/);
    const tooBig = await refusal(create(lambda, 'huge', { Code: { ZipFile: new Uint8Array(50 * 1024 * 1024 + 1) } }));
    expect(tooBig.name).toBe('RequestEntityTooLargeException');
    expect(tooBig.$metadata.httpStatusCode).toBe(413);
    const unserved = await refusal(lambda.send(new GetAccountSettingsCommand({})));
    expect(unserved.name).toBe('UnknownOperationException');
    expect(unserved.$metadata.httpStatusCode).toBe(404);
  });

  it('refuses a second server on the same state folder, naming the one that holds it', async () => {
    const first = await start();
    await expect(start({}, first.root)).rejects.toThrow(/in use by process \d+ \(durable-gen dev/);
  });
});

function waitForActive(lambda: LambdaClient, name: string) {
  return waitUntilFunctionActiveV2(
    { client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
    { FunctionName: name },
  );
}

function waitForUpdated(lambda: LambdaClient, name: string) {
  return waitUntilFunctionUpdatedV2(
    { client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
    { FunctionName: name },
  );
}
