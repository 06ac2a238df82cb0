import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { completeCallback, createHandler, type DurableContext, DurableService, Step, Workflow } from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;
const WEEK_MS = 7 * 86_400_000;

/** The tokens the submitters were handed, by callback name. */
const tokens = new Map<string, string>();

@DurableService({ name: 'race' })
class Race {
  /** Approval, or the deadline: whichever comes first; then the outcome is noted. */
  @Workflow()
  async approveOrExpire(ctx: DurableContext) {
    const outcome = await Promise.race([
      ctx.waitForCallback<string>('approval', (token) => {
        tokens.set('approval', token);
      }),
      ctx.sleep('deadline', { ms: WEEK_MS }).then(() => 'expired'),
    ]);
    return this.note(outcome);
  }

  @Step()
  async note(outcome: string): Promise<string> {
    return outcome;
  }

  /** The first of two approvers; then the outcome is noted. */
  @Workflow()
  async firstOfTwo(ctx: DurableContext) {
    const outcome = await Promise.race(
      ['alice', 'bob'].map((name) =>
        ctx.waitForCallback<string>(name, (token) => {
          tokens.set(name, token);
        }),
      ),
    );
    return this.note(outcome);
  }
}

describe('a workflow that returned while a branch it raced still waits', () => {
  it.each([
    ['a callback against a 7-day sleep', 'approveOrExpire', 'approval'],
    ['two callbacks', 'firstOfTwo', 'bob'],
  ])('ends SUCCEEDED, never SUSPENDED, when %s resolves', async (_what, workflow, winner) => {
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Race, { store, now: clock.now, maxInProcessWaitMs: 0 });
    const executionId = `${workflow}${RUN}`;
    tokens.clear();

    const first = await handler({ executionId, workflow, input: {} });
    expect(first.status).toBe('SUSPENDED');

    await completeCallback(store, tokens.get(winner)!, `yes from ${winner}`, clock.now);
    clock.advance(1_000);
    const second = await handler({ executionId });

    expect(second).toEqual({ status: 'SUCCEEDED', executionId, output: `yes from ${winner}` });
    const record = await store.getExecution({ service: 'race', executionId });
    expect(record).toMatchObject({ status: 'SUCCEEDED' });
    expect(record?.resumeAt).toBeUndefined();
  });
});
