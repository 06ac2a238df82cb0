import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore, type OperationRecord } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { claimRequest, EXPIRES_AT, partitionItems, rawItem, ttlOf } from './raw-items.js';

const TABLE = 'durable-test';
/** Wall-clock, far ahead (DynamoDB Local deletes expired items), and not on a whole second. */
const TTL = Math.ceil(EXPIRES_AT / 1000);

/** A JSON string of about `compressedBytes` bytes once gzipped: random hex compresses to half. */
function incompressible(compressedBytes: number): string {
  return JSON.stringify(randomBytes(compressedBytes).toString('hex'));
}

describe.each(['dynalite', 'dynamodb-local'] as const)('TTL of the journal on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  afterAll(() => client.destroy());

  function newKey() {
    return { service: `ttl-${randomUUID()}`, executionId: randomUUID() };
  }
  const pkOf = (key: { service: string; executionId: string }) => `${key.service}#${key.executionId}`;

  const request = claimRequest;

  function operation(position: string, fields: Partial<OperationRecord> = {}): OperationRecord {
    return {
      position,
      kind: 'step',
      name: 'work',
      argsHash: 'a',
      status: 'SUCCEEDED',
      attempt: 1,
      result: '"ok"',
      updatedAt: Date.now(),
      epoch: 1,
      expiresAt: EXPIRES_AT,
      ...fields,
    };
  }

  it("stamps #meta and the input's chunks, at the claim that creates the execution, with its expiresAt in seconds", async () => {
    const key = newKey();
    await store.claim(request(key, { input: { serialized: incompressible(300_000), hash: 'h-big' } }));

    const items = await partitionItems(client, TABLE, pkOf(key));
    const chunks = items.filter((item) => item.sk?.S?.startsWith('chunk#'));
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.map(ttlOf)).toEqual(chunks.map(() => TTL));
    const meta = items.find((item) => item.sk?.S === '#meta');
    expect(ttlOf(meta)).toBe(TTL);
    expect((await store.getExecution(key))?.expiresAt).toBe(EXPIRES_AT);
  });

  it('keeps the TTL of an existing execution when a later claim asks for another', async () => {
    const key = newKey();
    await store.claim(request(key));
    const later = Date.now() + 120_000;

    await store.claim(
      request(key, {
        owner: 'owner-b',
        now: later,
        leaseExpiresAt: later + 60_000,
        expiresAt: EXPIRES_AT + 86_400_000,
      }),
    );

    expect(ttlOf(await rawItem(client, TABLE, pkOf(key), '#meta'))).toBe(TTL);
    expect((await store.getExecution(key))?.expiresAt).toBe(EXPIRES_AT);
  });

  it("stamps every operation record and its chunks with the record's expiresAt; one without gets no TTL", async () => {
    const key = newKey();
    await store.claim(request(key));
    await store.writeOperation(key, operation('1'), null);
    await store.writeOperation(key, operation('2', { result: incompressible(400_000) }), null);
    const withoutExpiry = operation('3');
    delete withoutExpiry.expiresAt;
    await store.writeOperation(key, withoutExpiry, null);

    const items = await partitionItems(client, TABLE, pkOf(key));
    const ttlBySortKey = Object.fromEntries(items.map((item) => [item.sk?.S, ttlOf(item)]));
    expect(ttlBySortKey['op#1']).toBe(TTL);
    expect(ttlBySortKey['op#2']).toBe(TTL);
    expect(ttlBySortKey['op#3']).toBeUndefined();
    const chunks = items.filter((item) => item.sk?.S?.startsWith('chunk#op#2#'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map(ttlOf)).toEqual(chunks.map(() => TTL));
    expect((await store.loadJournal(key)).map((r) => r.expiresAt)).toEqual([EXPIRES_AT, EXPIRES_AT, undefined]);
  });

  it("moves #meta's TTL (and its output's chunks') to a finish's expiresAt; operation records keep theirs", async () => {
    const key = newKey();
    await store.claim(request(key));
    await store.writeOperation(key, operation('1'), null);
    const finishedExpiresAt = EXPIRES_AT + 30 * 86_400_000 + 1;

    const outcome = await store.transition(
      key,
      'owner-a',
      { status: 'SUCCEEDED', output: incompressible(300_000), expiresAt: finishedExpiresAt },
      Date.now(),
    );

    expect(outcome).toEqual({ ok: true });
    const items = await partitionItems(client, TABLE, pkOf(key));
    const ttlBySortKey = Object.fromEntries(items.map((item) => [item.sk?.S, ttlOf(item)]));
    expect(ttlBySortKey['#meta']).toBe(Math.ceil(finishedExpiresAt / 1000));
    expect(ttlBySortKey['op#1']).toBe(TTL);
    const outputChunks = items.filter((item) => item.sk?.S?.startsWith('chunk#meta#output#'));
    expect(outputChunks.length).toBeGreaterThan(0);
    expect(outputChunks.map(ttlOf)).toEqual(outputChunks.map(() => Math.ceil(finishedExpiresAt / 1000)));
    expect((await store.getExecution(key))?.expiresAt).toBe(finishedExpiresAt);
  });

  it("keeps #meta's TTL on a finish without expiresAt, and gives its chunked error the same", async () => {
    const key = newKey();
    await store.claim(request(key));

    await store.transition(key, 'owner-a', { status: 'FAILED', error: incompressible(300_000) }, Date.now());

    const items = await partitionItems(client, TABLE, pkOf(key));
    expect(ttlOf(items.find((item) => item.sk?.S === '#meta'))).toBe(TTL);
    const errorChunks = items.filter((item) => item.sk?.S?.startsWith('chunk#meta#error#'));
    expect(errorChunks.length).toBeGreaterThan(0);
    expect(errorChunks.map(ttlOf)).toEqual(errorChunks.map(() => TTL));
  });

  it('never touches the TTL when suspending, asking to resume, or resuming', async () => {
    const key = newKey();
    await store.claim(request(key));
    const now = Date.now();

    await store.requestResume(key, now + 10);
    await store.transition(key, 'owner-a', { status: 'SUSPENDED', resumeAt: now + 5 }, now);
    await store.requestResume(key, now + 1);
    await store.claim({ ...request(key, { owner: 'owner-b', expiresAt: EXPIRES_AT + 5_000 }), input: undefined });

    expect(ttlOf(await rawItem(client, TABLE, pkOf(key), '#meta'))).toBe(TTL);
  });
});
