import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import type { RawItem } from './raw-items.js';

const TABLE = 'durable-test';

/**
 * Items as versions of this package before claim epochs and fixed TTLs wrote
 * them: no `epoch`, no `timeoutAt`, no `expiresAtMs`, and a TTL stamp
 * (`expiresAt`, seconds) of their own; the input could take the whole value
 * budget of `#meta` inline.
 */
function legacyMeta(service: string, executionId: string, input: RawItem, now: number): RawItem {
  return {
    pk: { S: `${service}#${executionId}` },
    sk: { S: '#meta' },
    service: { S: service },
    executionId: { S: executionId },
    workflow: { S: 'run' },
    status: { S: 'RUNNING' },
    ...input,
    inputHash: { S: 'h-legacy' },
    leaseOwner: { S: 'old-owner' },
    leaseExpiresAt: { N: String(now - 1_000) },
    createdAt: { N: String(now - 60_000) },
    updatedAt: { N: String(now - 60_000) },
    invocations: { N: '1' },
    duePk: { S: `${service}#due` },
    dueAt: { N: String(now - 1_000) },
    secret: { S: 's3cret' },
    expiresAt: { N: String(Math.ceil(now / 1000) + 90 * 86_400) },
  };
}

describe.each(['dynalite', 'dynamodb-local'] as const)('items of the old layout on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  afterAll(() => client.destroy());

  it('read back as records with epoch 0 and without timeoutAt or expiresAt', async () => {
    const service = `legacy-${randomUUID()}`;
    const executionId = randomUUID();
    const now = Date.now();
    const pk = `${service}#${executionId}`;
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: legacyMeta(service, executionId, { input: { S: '{"n":1}' } }, now),
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: pk },
          sk: { S: 'op#1' },
          position: { S: '1' },
          kind: { S: 'step' },
          name: { S: 'charge' },
          argsHash: { S: 'a-1' },
          status: { S: 'SUCCEEDED' },
          attempt: { N: '1' },
          updatedAt: { N: String(now - 30_000) },
          result: { S: '"receipt"' },
          owner: { S: 'old-owner' },
          expiresAt: { N: String(Math.ceil(now / 1000) + 90 * 86_400) },
        },
      }),
    );

    expect(await store.getExecution({ service, executionId })).toEqual({
      service,
      executionId,
      workflow: 'run',
      status: 'RUNNING',
      input: '{"n":1}',
      inputHash: 'h-legacy',
      leaseOwner: 'old-owner',
      leaseExpiresAt: now - 1_000,
      createdAt: now - 60_000,
      updatedAt: now - 60_000,
      invocations: 1,
      secret: 's3cret',
    });
    expect(await store.loadJournal({ service, executionId })).toEqual([
      {
        position: '1',
        kind: 'step',
        name: 'charge',
        argsHash: 'a-1',
        status: 'SUCCEEDED',
        attempt: 1,
        updatedAt: now - 30_000,
        result: '"receipt"',
        owner: 'old-owner',
        epoch: 0,
      },
    ]);
  });

  it('an old execution whose input fills #meta inline still finishes with an output of its own half, both intact', async () => {
    const service = `legacy-${randomUUID()}`;
    const executionId = randomUUID();
    const key = { service, executionId };
    const now = Date.now();
    // About 300 KB and 150 KB compressed: the output fits its half of the budget, but not next to this input.
    const input = JSON.stringify(randomBytes(300_000).toString('hex'));
    const output = JSON.stringify(randomBytes(150_000).toString('hex'));
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: legacyMeta(service, executionId, { inputZ: { B: gzipSync(input) } }, now),
      }),
    );

    const claim = await store.claim({
      key,
      workflow: 'run',
      input: { serialized: input, hash: 'h-legacy' },
      owner: 'new-owner',
      now,
      leaseExpiresAt: now + 60_000,
      timeoutAt: now + 3_600_000,
      expiresAt: now + 86_400_000,
    });
    expect(claim).toMatchObject({
      kind: 'claimed',
      isNew: false,
      record: { invocations: 2, timeoutAt: now + 3_600_000, expiresAt: now + 86_400_000 },
    });

    const finish = await store.transition(key, 'new-owner', { status: 'SUCCEEDED', output }, now + 1);

    expect(finish).toEqual({ ok: true });
    const finished = await store.getExecution(key);
    expect(finished?.status).toBe('SUCCEEDED');
    expect(finished?.input === input).toBe(true);
    expect(finished?.output === output).toBe(true);
  });
});
