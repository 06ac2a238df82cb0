import { randomUUID } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import type { RawItem } from './raw-items.js';

const TABLE = 'durable-test';

describe.each(['dynalite', 'dynamodb-local'] as const)('forged entries of the resumable index on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  afterAll(() => client.destroy());

  /** A SUSPENDED, due `#meta`-like item, as any service may write one in its own key space. */
  function dueItem(
    pk: string,
    sk: string,
    service: string,
    executionId: string,
    victim: string,
    dueAt: number,
  ): RawItem {
    return {
      pk: { S: pk },
      sk: { S: sk },
      service: { S: service },
      executionId: { S: executionId },
      workflow: { S: 'review' },
      status: { S: 'SUSPENDED' },
      input: { S: '{}' },
      inputHash: { S: 'h' },
      createdAt: { N: '1' },
      updatedAt: { N: '1' },
      invocations: { N: '1' },
      resumeAt: { N: String(dueAt) },
      duePk: { S: `${victim}#due` },
      dueAt: { N: String(dueAt) },
    };
  }

  it("finds only the service's own executions, and forged entries do not count toward the limit", async () => {
    const victim = `reviews-${randomUUID()}`;
    const attacker = `orders-${randomUUID()}`;
    const now = Date.now();
    const genuine = { service: victim, executionId: randomUUID() };
    await store.claim({
      key: genuine,
      workflow: 'review',
      input: { serialized: '{}', hash: 'h' },
      owner: 'owner-a',
      now,
      leaseExpiresAt: now + 60_000,
      timeoutAt: now + 3_600_000,
      expiresAt: now + 86_400_000,
    });
    await store.transition(genuine, 'owner-a', { status: 'SUSPENDED', resumeAt: now + 100 }, now);
    // Each forgery is due before the genuine execution, so a sweep that trusted them would return them first.
    const forged = [
      // In the attacker's key space, claiming to be an execution of the victim.
      dueItem(`${attacker}#x1`, '#meta', victim, 'x1', victim, now + 1),
      // In the attacker's key space, as itself, but in the victim's due partition.
      dueItem(`${attacker}#x2`, '#meta', attacker, 'x2', victim, now + 2),
      // Not an execution record at all.
      dueItem(`${victim}#${genuine.executionId}`, 'op#1', victim, genuine.executionId, victim, now + 4),
    ];
    for (const Item of forged) await client.send(new PutItemCommand({ TableName: TABLE, Item }));

    const first = await store.findResumable({ service: victim, now: now + 1_000, limit: 1 });
    const all = await store.findResumable({ service: victim, now: now + 1_000, limit: 10 });
    const listed = await store.listExecutions({ service: victim });

    expect(first.map((r) => r.executionId)).toEqual([genuine.executionId]);
    expect(all.map((r) => r.executionId)).toEqual([genuine.executionId]);
    expect(all[0]).toEqual(await store.getExecution(genuine));
    expect(listed.executions.map((r) => r.executionId)).toEqual([genuine.executionId]);
  });
});
