import { describe, expect, it } from 'vitest';
import type { OperationRecord } from '../journal/records.js';
import { describeCheckpointStoreContract } from '../testing/checkpoint-store-contract.js';
import type { ClaimRequest } from './checkpoint-store.js';
import { MemoryStore } from './memory-store.js';

describeCheckpointStoreContract('MemoryStore', () => new MemoryStore());

describe('MemoryStore', () => {
  const key = { service: 'orders', executionId: 'order-1' };
  const request: ClaimRequest = {
    key,
    workflow: 'checkout',
    input: { serialized: '{"orderId":"o-1"}', hash: 'hash-o-1' },
    owner: 'invocation-a',
    now: 1_000,
    leaseExpiresAt: 31_000,
    timeoutAt: 86_401_000,
    expiresAt: 4_102_444_800_000,
  };
  const step: OperationRecord = {
    position: '1',
    kind: 'step',
    name: 'charge',
    argsHash: 'args-1',
    status: 'SUCCEEDED',
    attempt: 1,
    result: '"receipt-1"',
    updatedAt: 1_500,
    epoch: 1,
    follows: { position: '0', epoch: 1 },
  };

  it('copies values in and out, so what a caller holds cannot change what is stored', async () => {
    const store = new MemoryStore();
    const claim = await store.claim(request);
    const written = { ...step, follows: { ...step.follows! } };
    await store.writeOperation(key, written, null);
    const expectedExecution = await store.getExecution(key);

    // Mutate everything the store was given or has handed out.
    if (claim.kind === 'claimed') claim.record.status = 'FAILED';
    written.result = '"tampered"';
    const journal = await store.loadJournal(key);
    journal[0]!.result = '"tampered"';
    journal[0]!.follows!.epoch = 99;
    written.follows!.position = '99';
    journal.push({ ...step, position: '2' });
    const execution = await store.getExecution(key);
    execution!.leaseOwner = 'intruder';
    const listed = await store.listExecutions({ service: 'orders' });
    listed.executions[0]!.input = '"tampered"';

    expect(claim.kind).toBe('claimed');
    expect(await store.loadJournal(key)).toEqual([step]);
    expect(await store.getExecution(key)).toEqual(expectedExecution);
    expect(expectedExecution?.status).toBe('RUNNING');
    expect(expectedExecution?.leaseOwner).toBe('invocation-a');
  });

  it('copies the winner it returns to a refused write', async () => {
    const store = new MemoryStore();
    await store.claim(request);
    await store.writeOperation(key, step, null);

    const outcome = await store.writeOperation(key, { ...step, result: '"loser"' }, null);
    if (!outcome.ok && outcome.current !== undefined) outcome.current.result = '"tampered"';

    expect(outcome.ok).toBe(false);
    expect(await store.loadJournal(key)).toEqual([step]);
  });

  it('keeps separate instances apart', async () => {
    const first = new MemoryStore();
    const second = new MemoryStore();

    await first.claim(request);

    expect(await second.getExecution(key)).toBeUndefined();
  });
});
