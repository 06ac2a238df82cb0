import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  completeCallback,
  createHandler,
  type DurableContext,
  DurableService,
  pendingCallbacks,
  Workflow,
} from '../index.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

/** The tokens the submitters below were handed, by callback name. */
const handed = new Map<string, string>();

@DurableService({ name: 'pending-approvals' })
class PendingApprovals {
  @Workflow()
  async review(ctx: DurableContext) {
    // Two waits at once, one inside each branch, one with a timeout: positions 1.1.1 and 1.2.1.
    return ctx.parallel('reviewers', [
      (branch) => branch.waitForCallback('legal', (token) => void handed.set('legal', token)),
      (branch) =>
        branch.waitForCallback('finance', (token) => void handed.set('finance', token), { timeout: { hours: 1 } }),
    ]);
  }
}

async function pendingOf(store: CheckpointStore, executionId: string) {
  const key = { service: 'pending-approvals', executionId };
  const execution = await store.getExecution(key);
  if (execution === undefined) throw new Error(`no execution ${executionId}`);
  return pendingCallbacks(execution, await store.loadJournal(key));
}

describe('pendingCallbacks', () => {
  it('lists each wait with the very token its submitter was handed, until it is completed', async () => {
    const store = testStore();
    const handler = createHandler(PendingApprovals, { store });
    const executionId = `p1${RUN}`;
    expect(await handler({ executionId, input: null })).toMatchObject({ status: 'SUSPENDED' });

    const pending = await pendingOf(store, executionId);
    expect(pending).toEqual([
      {
        service: 'pending-approvals',
        executionId,
        name: 'legal',
        position: '1.1.1',
        since: expect.any(Number),
        token: handed.get('legal'),
      },
      {
        service: 'pending-approvals',
        executionId,
        name: 'finance',
        position: '1.2.1',
        since: expect.any(Number),
        timeoutAt: pending[1]!.since + 3_600_000,
        token: handed.get('finance'),
      },
    ]);

    // A listed token completes its callback like the handed one: it is the same token.
    await completeCallback(store, pending[0]!.token, 'ok');
    expect((await pendingOf(store, executionId)).map((callback) => callback.name)).toEqual(['finance']);
    await completeCallback(store, pending[1]!.token, 'fine');
    expect(await pendingOf(store, executionId)).toEqual([]);

    // Once the execution has ended it waits for nothing.
    expect(await handler({ executionId })).toMatchObject({ status: 'SUCCEEDED', output: ['ok', 'fine'] });
    expect(await pendingOf(store, executionId)).toEqual([]);
  });

  it('gives no token for an execution without a secret (one written by an older version)', async () => {
    const store = testStore();
    const executionId = `p2${RUN}`;
    await createHandler(PendingApprovals, { store })({ executionId, input: null });
    const key = { service: 'pending-approvals', executionId };
    const { secret: _secret, ...withoutSecret } = (await store.getExecution(key))!;
    expect(pendingCallbacks(withoutSecret, await store.loadJournal(key))).toEqual([]);
  });
});
