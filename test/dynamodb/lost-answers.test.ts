import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore, type OperationRecord } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import { RequestCounter } from '../support/request-counter.js';
import { claimRequest, EXPIRES_AT, partitionItems } from './raw-items.js';

const TABLE = 'durable-test';

/**
 * Loses answers the way a network does: the request reaches the table and is
 * applied, then the connection drops before the answer arrives. Inside the
 * SDK's retry loop (finalizeRequest, after the retry middleware), so the
 * client sends the same request again, as it would after a real ECONNRESET.
 */
class AnswerDropper {
  /** Answers still to lose, by command name (`UpdateItem`, `PutItem`). */
  readonly toDrop = new Map<string, number>();
  dropped = 0;

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        const name = String(context.commandName).replace(/Command$/, '');
        const remaining = this.toDrop.get(name) ?? 0;
        if (remaining > 0) {
          this.toDrop.set(name, remaining - 1);
          this.dropped++;
          throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });
        }
        return output;
      },
      { step: 'finalizeRequest', priority: 'low', name: 'answerDropper' },
    );
  }

  /** Loses the next answer to a `command` request. */
  dropNext(command: 'UpdateItem' | 'PutItem'): void {
    this.toDrop.set(command, (this.toDrop.get(command) ?? 0) + 1);
  }
}

/** A JSON string of about `compressedBytes` bytes once gzipped: random hex compresses to half. */
function incompressible(compressedBytes: number): string {
  return JSON.stringify(randomBytes(compressedBytes).toString('hex'));
}

describe.each(['dynalite', 'dynamodb-local'] as const)('answers lost after the write landed, on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  const dropper = new AnswerDropper(client);
  const counter = new RequestCounter(client);
  const store = new DynamoDbStore({ client, tableName: TABLE });
  afterAll(() => client.destroy());

  const newKey = () => ({ service: `lost-${randomUUID()}`, executionId: randomUUID() });

  const request = claimRequest;

  function operation(fields: Partial<OperationRecord> = {}): OperationRecord {
    return {
      position: '1',
      kind: 'step',
      name: 'charge',
      argsHash: 'a',
      status: 'SUCCEEDED',
      attempt: 1,
      result: '"receipt"',
      owner: 'owner-a',
      updatedAt: Date.now(),
      epoch: 1,
      expiresAt: EXPIRES_AT,
      ...fields,
    };
  }

  it('a creating claim whose answer was lost has claimed: new, epoch 1', async () => {
    const key = newKey();
    dropper.dropNext('UpdateItem');
    const droppedBefore = dropper.dropped;

    const outcome = await store.claim(request(key));

    expect(dropper.dropped - droppedBefore).toBe(1);
    expect(outcome).toMatchObject({ kind: 'claimed', isNew: true, record: { invocations: 1, leaseOwner: 'owner-a' } });
    expect((await store.getExecution(key))?.invocations).toBe(1);
  });

  it('a creating claim of a chunked input whose answer was lost has claimed, and wrote one set of chunks once', async () => {
    const key = newKey();
    const input = { serialized: incompressible(400_000), hash: 'h-big' };
    dropper.dropNext('UpdateItem');
    counter.reset();

    const outcome = await store.claim(request(key, { input }));

    expect(outcome.kind).toBe('claimed');
    if (outcome.kind !== 'claimed') return;
    expect(outcome.isNew).toBe(true);
    expect(outcome.record.invocations).toBe(1);
    expect(outcome.record.input === input.serialized).toBe(true);
    expect(counter.count('BatchWriteItem')).toBe(1);
    const chunkKeys = (await partitionItems(client, TABLE, `${key.service}#${key.executionId}`))
      .map((item) => item.sk?.S ?? '')
      .filter((sk) => sk.startsWith('chunk#'));
    // One write id: the round that created the execution wrote the only set.
    expect(new Set(chunkKeys.map((sk) => sk.split('#').slice(0, 4).join('#'))).size).toBe(1);
    expect(chunkKeys.length).toBe(2);
    expect((await store.getExecution(key))?.input === input.serialized).toBe(true);
  });

  it('a take-over whose answer was lost has claimed once: not new, epoch 2', async () => {
    const key = newKey();
    await store.claim(request(key, { leaseExpiresAt: Date.now() - 1 }));
    dropper.dropNext('UpdateItem');

    const outcome = await store.claim(request(key, { owner: 'owner-b' }));

    expect(outcome).toMatchObject({ kind: 'claimed', isNew: false, record: { invocations: 2, leaseOwner: 'owner-b' } });
    expect((await store.getExecution(key))?.invocations).toBe(2);
  });

  it("an operation write whose answer was lost is refused with the writer's own record", async () => {
    const key = newKey();
    await store.claim(request(key));
    for (const record of [operation(), operation({ position: '2', result: incompressible(400_000) })]) {
      dropper.dropNext('PutItem');

      const outcome = await store.writeOperation(key, record, null);

      expect(outcome).toEqual({ ok: false, current: record });
    }
    expect((await store.loadJournal(key)).map((r) => r.position)).toEqual(['1', '2']);
  });

  it('a finish whose answer was lost is refused with the finished record: its own output', async () => {
    const key = newKey();
    await store.claim(request(key));
    dropper.dropNext('UpdateItem');

    const outcome = await store.transition(key, 'owner-a', { status: 'SUCCEEDED', output: '"done"' }, Date.now());

    expect(outcome).toMatchObject({ ok: false, current: { status: 'SUCCEEDED', output: '"done"' } });
  });
});
