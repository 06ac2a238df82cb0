import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  PayloadTooLargeError,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { RequestCounter } from '../support/request-counter.js';
import { partitionItems } from './raw-items.js';

const TABLE = 'durable-test';

let runs = 0;

@DurableService({ name: 'large-values' })
class LargeValues {
  @Workflow()
  async run(
    ctx: DurableContext,
    input: { bytes: number; compressible: boolean },
  ): Promise<{ length: number; head: string }> {
    const value = await this.make(input.bytes, input.compressible);
    await ctx.sleep('pause', { hours: 1 });
    return { length: value.length, head: value.slice(0, 16) };
  }

  @Step()
  async make(bytes: number, compressible: boolean): Promise<string> {
    runs++;
    return compressible ? 'abcdefgh'.repeat(bytes / 8) : randomBytes(bytes / 2).toString('hex');
  }
}

describe.each(['dynalite', 'dynamodb-local'] as const)('large values on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const counter = new RequestCounter(client);
  const store = new DynamoDbStore({ client, tableName: TABLE, maxValueBytes: 8 * 1024 * 1024 });
  afterAll(() => client.destroy());

  async function itemsOf(executionId: string): Promise<string[]> {
    return (await partitionItems(client, TABLE, `large-values#${executionId}`)).map((item) => item.sk?.S ?? '');
  }

  it.each([
    { bytes: 1024 * 1024, compressible: true },
    { bytes: 1024 * 1024, compressible: false },
    { bytes: 3 * 1024 * 1024, compressible: false },
  ])(
    'a $bytes-byte value (compressible: $compressible) is compressed, chunked over 400 KB, and replays intact',
    async ({ bytes, compressible }) => {
      let clock = Date.now();
      const handler = createHandler(LargeValues, { store, now: () => clock, maxPayloadBytes: 4 * 1024 * 1024 });
      const executionId = randomUUID();
      const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };
      expect((await handler({ executionId, input: { bytes, compressible } }, lambdaContext)).status).toBe('SUSPENDED');
      const journal = await store.loadJournal({ service: 'large-values', executionId });
      const recorded = JSON.parse(journal[0]?.result ?? '""') as string;
      expect(recorded.length).toBe(bytes);
      // Compressed, it fits one item (under 400 KB) or is cut into 350 KB chunk items.
      const compressedBytes = gzipSync(JSON.stringify(recorded)).length;
      const chunks = compressedBytes <= 350 * 1024 ? 0 : Math.ceil(compressedBytes / (350 * 1024));
      expect(chunks > 0).toBe(!compressible);
      expect((await itemsOf(executionId)).filter((sk) => sk.startsWith('chunk#'))).toHaveLength(chunks);

      const runsBefore = runs;
      clock += 2 * 3_600_000;
      const resumed = await handler({ executionId }, lambdaContext);
      expect(runs).toBe(runsBefore);
      expect(resumed).toEqual({
        status: 'SUCCEEDED',
        executionId,
        output: { length: bytes, head: recorded.slice(0, 16) },
      });
    },
  );

  it('a value over the store maximum is refused with PayloadTooLargeError and nothing is written', async () => {
    const small = new DynamoDbStore({ client, tableName: TABLE, maxValueBytes: 64 * 1024 });
    const key = { service: 'large-values', executionId: randomUUID() };
    const claim = await small.claim({
      key,
      workflow: 'run',
      input: { serialized: '{}', hash: 'h' },
      owner: 'me',
      now: Date.now(),
      leaseExpiresAt: Date.now() + 60_000,
      timeoutAt: Date.now() + 3_600_000,
      expiresAt: Date.now() + 86_400_000,
    });
    expect(claim.kind).toBe('claimed');
    const write = small.writeOperation(
      key,
      {
        position: '1',
        kind: 'step',
        name: 'make',
        argsHash: 'x',
        status: 'SUCCEEDED',
        attempt: 1,
        result: JSON.stringify('x'.repeat(100 * 1024)),
        updatedAt: Date.now(),
        epoch: 1,
      },
      null,
    );
    await expect(write).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(write).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    const item = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `large-values#${key.executionId}` }, sk: { S: 'op#1' } },
      }),
    );
    expect(item.Item).toBeUndefined();
    expect(await itemsOf(key.executionId)).toEqual(['#meta']);
  });

  it('an input and an output of about 300 KB compressed each share #meta: one finishing write, both intact', async () => {
    const key = { service: 'large-values', executionId: randomUUID() };
    // Random hex compresses to half: each value is about 300 KB gzipped, together past 400 KB were both inline.
    const input = JSON.stringify(randomBytes(300 * 1024).toString('hex'));
    const output = JSON.stringify(randomBytes(300 * 1024).toString('hex'));
    const now = Date.now();
    const claim = await store.claim({
      key,
      workflow: 'run',
      input: { serialized: input, hash: 'h-large' },
      owner: 'me',
      now,
      leaseExpiresAt: now + 60_000,
      timeoutAt: now + 3_600_000,
      expiresAt: now + 86_400_000,
    });
    expect(claim.kind).toBe('claimed');
    counter.reset();

    const finish = await store.transition(key, 'me', { status: 'SUCCEEDED', output }, now + 1);

    expect(finish).toEqual({ ok: true });
    // No write refused for its size and sent again: the output kept to its share of the item.
    expect(counter.count('UpdateItem')).toBe(1);
    const finished = await store.getExecution(key);
    expect(finished?.status).toBe('SUCCEEDED');
    expect(finished?.input === input).toBe(true);
    expect(finished?.output === output).toBe(true);
    const sortKeys = await itemsOf(key.executionId);
    expect(sortKeys.some((sk) => sk.startsWith('chunk#meta#input#'))).toBe(true);
    expect(sortKeys.some((sk) => sk.startsWith('chunk#meta#output#'))).toBe(true);
  });
});
