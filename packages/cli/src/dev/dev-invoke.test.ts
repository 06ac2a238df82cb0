import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ListAliasesCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';

const ROLE = 'arn:aws:iam::123456789012:role/dev-test';
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

/** Says what ran and what it was given; fails, hangs, answers too much or records its runs when asked to. */
const HANDLER = `
import { appendFileSync, readFileSync } from 'node:fs';
const runs = (file) => (readFileSync(file, 'utf8').trim().split('\\n').length);
export const handler = async (event, context) => {
  if (event.durableSweep) {
    appendFileSync(process.env.SWEEP_FILE, context.invokedFunctionArn + '\\n');
    return { status: 'SWEPT', service: event.service, resumed: [], failed: [], more: false };
  }
  if (event.record) {
    appendFileSync(event.record, context.awsRequestId + '\\n');
    if (event.failTimes !== undefined && runs(event.record) <= event.failTimes) throw new Error('attempt failed');
  }
  if (event.fail) throw new TypeError('asked to fail');
  if (event.hang) await new Promise(() => {});
  if (event.big) return 'x'.repeat(6 * 1024 * 1024 + 1);
  console.log('ran', context.functionVersion);
  return {
    event,
    code: CODE,
    version: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    greeting: process.env.GREETING ?? null,
  };
};
`;

function zipOf(code: string): Uint8Array {
  const source = `const CODE = '${code}';\n${HANDLER}`;
  return zipSync({ 'index.mjs': new TextEncoder().encode(source) }, { mtime: new Date('2020-01-01T00:00:00Z') });
}

let root: string;
let server: DevServer;
let lambda: LambdaClient;
const lines: string[] = [];

async function startServer(): Promise<void> {
  server = await startDevServer({
    root,
    port: 0,
    pendingMs: 0,
    region: 'us-east-1',
    sweepIntervalMs: 100,
    eventRetryDelaysMs: [50],
    log: (line) => lines.push(line),
  });
  lambda = new LambdaClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
    maxAttempts: 1,
  });
}

async function stopServer(): Promise<void> {
  lambda.destroy();
  await server.close();
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'durable-dev-invoke-'));
  await startServer();
  // Version 1 ('one', 2 s timeout) and version 2 ('two'); live -> 2; $LATEST is 'three'.
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'echo',
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'index.handler',
      Timeout: 2,
      Code: { ZipFile: zipOf('one') },
      Environment: { Variables: { GREETING: 'hello', SWEEP_FILE: path.join(root, 'sweeps.log') } },
      Publish: true,
    }),
  );
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zipOf('two'), Publish: true }));
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zipOf('three') }));
  await lambda.send(new CreateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '2' }));
});

afterAll(async () => {
  await stopServer();
  rmSync(root, { recursive: true, force: true });
});

function invoke(input: Omit<ConstructorParameters<typeof InvokeCommand>[0], 'Payload'> & { payload?: unknown }) {
  const { payload, ...rest } = input;
  return lambda.send(
    new InvokeCommand({ ...rest, ...(payload === undefined ? {} : { Payload: JSON.stringify(payload) }) }),
  );
}

function answer(output: InvokeCommandOutput): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(output.Payload)) as Record<string, unknown>;
}

async function refusal(request: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await request;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('the request was not refused');
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms. Log:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function recordedRuns(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

describe('Invoke on the dev server, through @aws-sdk/client-lambda', () => {
  it('runs the version the name, the ARN or Qualifier resolves to; the context keeps what was invoked', async () => {
    const cases: [Parameters<typeof invoke>[0], string, string, string][] = [
      [{ FunctionName: 'echo:1' }, '1', 'one', `${ARN}:echo:1`],
      [{ FunctionName: 'echo', Qualifier: '2' }, '2', 'two', `${ARN}:echo:2`],
      [{ FunctionName: 'echo:live' }, '2', 'two', `${ARN}:echo:live`],
      [{ FunctionName: `${ARN}:echo:1` }, '1', 'one', `${ARN}:echo:1`],
      [{ FunctionName: '123456789012:function:echo:live' }, '2', 'two', `${ARN}:echo:live`],
      [{ FunctionName: `${ARN}:echo`, Qualifier: 'live' }, '2', 'two', `${ARN}:echo:live`],
      [{ FunctionName: 'echo' }, '$LATEST', 'three', `${ARN}:echo`],
      [{ FunctionName: 'echo:$LATEST' }, '$LATEST', 'three', `${ARN}:echo:$LATEST`],
    ];
    for (const [input, version, code, invokedFunctionArn] of cases) {
      const output = await invoke({ ...input, payload: { n: 1 } });
      expect(output.StatusCode).toBe(200);
      expect(output.ExecutedVersion).toBe(version);
      expect(output.FunctionError).toBeUndefined();
      expect(answer(output)).toEqual({ event: { n: 1 }, code, version, invokedFunctionArn, greeting: 'hello' });
    }
  });

  it('refuses two different qualifiers at once, and names what is missing', async () => {
    const both = await refusal(invoke({ FunctionName: 'echo:1', Qualifier: 'live' }));
    expect(both.name).toBe('InvalidParameterValueException');
    expect(both.message).toMatch(/does not match the specified qualifier/);
    expect((await invoke({ FunctionName: 'echo:live', Qualifier: 'live' })).ExecutedVersion).toBe('2');
    for (const name of ['nobody', 'echo:7', 'echo:staging']) {
      const missing = await refusal(invoke({ FunctionName: name }));
      expect(missing.name).toBe('ResourceNotFoundException');
      expect(missing.$metadata.httpStatusCode).toBe(404);
    }
  });

  it('answers function errors, timeouts and too-large responses as Lambda does, with the log tail', async () => {
    const failed = await invoke({ FunctionName: 'echo:1', payload: { fail: true }, LogType: 'Tail' });
    expect(failed).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '1' });
    expect(answer(failed)).toMatchObject({ errorType: 'TypeError', errorMessage: 'asked to fail' });
    const log = Buffer.from(failed.LogResult!, 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: [0-9a-f-]+ Version: 1/m);
    expect(log).toMatch(/^REPORT RequestId: /m);

    const timedOut = await invoke({ FunctionName: 'echo:1', payload: { hang: true } });
    expect(timedOut.FunctionError).toBe('Unhandled');
    expect(answer(timedOut)).toMatchObject({ errorType: 'Sandbox.Timedout' });

    const big = await invoke({ FunctionName: 'echo:1', payload: { big: true } });
    expect(big.FunctionError).toBe('Unhandled');
    expect(answer(big)).toMatchObject({ errorType: 'Function.ResponseSizeTooLarge' });
    expect((await invoke({ FunctionName: 'echo:1' })).FunctionError).toBeUndefined();
  });

  it('refuses request payloads over the limits and payloads that are not JSON', async () => {
    const sync = await refusal(invoke({ FunctionName: 'echo:1', payload: 'x'.repeat(6 * 1024 * 1024) }));
    expect(sync.name).toBe('RequestTooLargeException');
    expect(sync.$metadata.httpStatusCode).toBe(413);
    const event = await refusal(
      invoke({ FunctionName: 'echo:1', InvocationType: 'Event', payload: 'x'.repeat(1024 * 1024) }),
    );
    expect(event.name).toBe('RequestTooLargeException');
    const notJson = await refusal(lambda.send(new InvokeCommand({ FunctionName: 'echo:1', Payload: '{oops' })));
    expect(notJson.name).toBe('InvalidRequestContentException');
  });

  it('answers DryRun with 204 and Event with 202, retrying a failed event with the same request id', async () => {
    const dry = await invoke({ FunctionName: 'echo:live', InvocationType: 'DryRun', payload: {} });
    expect(dry.StatusCode).toBe(204);
    const record = path.join(root, 'event-runs.log');
    const queued = await invoke({
      FunctionName: 'echo:live',
      InvocationType: 'Event',
      payload: { record, failTimes: 1 },
    });
    expect(queued.StatusCode).toBe(202);
    await waitFor(() => recordedRuns(record).length === 2, 'a retry');
    const [first, second] = recordedRuns(record);
    expect(second).toBe(first);

    // MaximumRetryAttempts 0: one attempt, then the event is dropped.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'echo', Qualifier: '1', MaximumRetryAttempts: 0 }),
    );
    const dropped = path.join(root, 'dropped-runs.log');
    await invoke({ FunctionName: 'echo:1', InvocationType: 'Event', payload: { record: dropped, failTimes: 5 } });
    await waitFor(() => lines.some((line) => line.includes('dropped') && line.includes('echo:1')), 'the drop');
    expect(recordedRuns(dropped)).toHaveLength(1);
  });

  it('never runs a durable service as $LATEST or unqualified, and sweeps it through its live alias', async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'svc',
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: zipOf('svc') },
        Environment: { Variables: { SWEEP_FILE: path.join(root, 'svc-sweeps.log') } },
        Tags: { 'durable:service': 'svc' },
        Publish: true,
      }),
    );
    const refused = [
      { FunctionName: 'svc' },
      { FunctionName: 'svc:$LATEST' },
      { FunctionName: 'svc', Qualifier: '$LATEST' },
      { FunctionName: `${ARN}:svc` },
      { FunctionName: 'svc', InvocationType: 'Event' as const },
    ];
    for (const input of refused) {
      const error = await refusal(invoke(input));
      expect(error.name).toBe('InvalidParameterValueException');
      expect(error.message).toMatch(/published version or an alias/);
    }
    expect((await invoke({ FunctionName: 'svc:1' })).ExecutedVersion).toBe('1');

    // Without an alias the highest version sweeps; once `live` exists, the alias does.
    const sweeps = path.join(root, 'svc-sweeps.log');
    await waitFor(() => recordedRuns(sweeps).includes(`${ARN}:svc:1`), 'a sweep of version 1');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'svc', Name: 'live', FunctionVersion: '1' }));
    await waitFor(() => recordedRuns(sweeps).includes(`${ARN}:svc:live`), 'a sweep through live');
    expect(recordedRuns(path.join(root, 'sweeps.log'))).toEqual([]);
  });

  it('serves DynamoDB on the same URL', async () => {
    const dynamoDb = new DynamoDBClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dev', secretAccessKey: 'dev' },
    });
    try {
      await dynamoDb.send(
        new CreateTableCommand({
          TableName: 'things',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await dynamoDb.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
      const item = await dynamoDb.send(new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' } } }));
      expect(item.Item).toEqual({ pk: { S: 'a' }, n: { N: '1' } });
    } finally {
      dynamoDb.destroy();
    }
  });

  it('keeps functions, versions and aliases across a restart, and invokes them again', async () => {
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'echo', Name: 'live', FunctionVersion: '1' }));
    await stopServer();
    await startServer();
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'echo' }));
    expect(aliases.Aliases?.map((alias) => [alias.Name, alias.FunctionVersion])).toEqual([['live', '1']]);
    const viaAlias = await invoke({ FunctionName: 'echo:live' });
    expect(viaAlias.ExecutedVersion).toBe('1');
    expect(answer(viaAlias)).toMatchObject({ code: 'one', invokedFunctionArn: `${ARN}:echo:live` });
    expect(answer(await invoke({ FunctionName: 'echo:2' }))).toMatchObject({ code: 'two', version: '2' });
    expect(answer(await invoke({ FunctionName: 'echo' }))).toMatchObject({ code: 'three', version: '$LATEST' });
  });
});
