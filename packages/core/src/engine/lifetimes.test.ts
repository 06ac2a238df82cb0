import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createHandler,
  DefinitionError,
  type DurableContext,
  DurableService,
  ExecutionTimeoutError,
  JournalIncompleteError,
  Step,
  Workflow,
} from '../index.js';
import { hashSerialized } from '../journal/hash.js';
import { serialize } from '../serde/serialize.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;
const DAY_MS = 86_400_000;

const charged: string[] = [];

/** A monthly billing loop that lives far longer than its retention. */
@DurableService({ name: 'billing', executionTimeout: { days: 100 }, retention: { days: 7 } })
class Billing {
  @Workflow()
  async run(ctx: DurableContext, input: { months: number }) {
    for (let month = 1; month <= input.months; month++) {
      await this.charge(month);
      await ctx.sleep(`month-${month}`, { days: 30 });
    }
    return 'done';
  }

  @Workflow()
  async approval(ctx: DurableContext) {
    return ctx.waitForCallback('approval', () => {});
  }

  @Step()
  async charge(month: number) {
    charged.push(`month ${month}`);
    return month;
  }
}

describe('execution lifetimes', () => {
  it('stamps every record with one expiry, start + executionTimeout + retention, however late it is written', async () => {
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Billing, { store, now: clock.now, maxInProcessWaitMs: 0 });
    const executionId = `loop${RUN}`;
    const before = Date.now();
    await handler({ executionId, workflow: 'run', input: { months: 3 } });
    for (let i = 0; i < 3; i++) {
      clock.advance(30 * DAY_MS);
      await handler({ executionId });
    }
    const record = await store.getExecution({ service: 'billing', executionId });
    expect(record?.status).toBe('SUCCEEDED');
    expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 107 * DAY_MS);
    const journal = await store.loadJournal({ service: 'billing', executionId });
    expect(journal).toHaveLength(6);
    for (const op of journal) expect(op.expiresAt).toBe(journal[0]?.expiresAt);
    expect(journal[0]?.expiresAt).toBeGreaterThanOrEqual(before + 107 * DAY_MS);
    expect(charged.filter((c) => c === 'month 1')).toHaveLength(1);
  });

  it('fails an execution past its executionTimeout with ExecutionTimeoutError, waking it then at the latest', async () => {
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Billing, { store, now: clock.now, maxInProcessWaitMs: 0 });
    const executionId = `timeout${RUN}`;
    const startedAt = clock.now();
    // A sleep of 30 days in an execution that may live 100: after month 4 the next wake-up is past the timeout.
    await handler({ executionId, workflow: 'run', input: { months: 5 } });
    for (let i = 0; i < 3; i++) {
      clock.advance(30 * DAY_MS);
      await handler({ executionId });
    }
    const suspended = await store.getExecution({ service: 'billing', executionId });
    expect(suspended?.resumeAt).toBe(startedAt + 100 * DAY_MS); // not 120 days: the timeout comes first
    clock.advance(10 * DAY_MS);
    await expect(handler({ executionId })).rejects.toThrow(ExecutionTimeoutError);
    expect(await store.getExecution({ service: 'billing', executionId })).toMatchObject({ status: 'FAILED' });
  });

  it('wakes a callback wait without a timeout at the execution timeout, so it never waits forever', async () => {
    const store = testStore();
    const clock = new ManualClock();
    const executionId = `callback${RUN}`;
    const result = await createHandler(Billing, { store, now: clock.now })({
      executionId,
      workflow: 'approval',
      input: {},
    });
    expect(result).toEqual({ status: 'SUSPENDED', executionId, resumeAt: clock.now() + 100 * DAY_MS });
  });

  it.each([
    ['its items are past their retention', 'retention'],
    ['a record belongs to an earlier execution with the same id', 'earlier execution'],
  ])('refuses loudly to replay a journal when %s, instead of running it from the top', async (_what, message) => {
    const store = testStore();
    const key = { service: 'billing', executionId: `incomplete-${message.length}${RUN}` };
    const input = serialize({ months: 2 }, 'input');
    const expiresAt = message === 'retention' ? Date.now() - 1_000 : Date.now() + DAY_MS;
    await store.claim({
      key,
      workflow: 'run',
      input: { serialized: input, hash: hashSerialized(input) },
      owner: 'dead',
      now: 0,
      leaseExpiresAt: 1,
      timeoutAt: Number.MAX_SAFE_INTEGER,
      expiresAt,
    });
    await store.writeOperation(
      key,
      {
        position: '2',
        kind: 'sleep',
        name: 'month-1',
        argsHash: hashSerialized(`${30 * DAY_MS} ms`),
        status: 'STARTED',
        attempt: 1,
        wakeAt: 1,
        updatedAt: 0,
        epoch: 1,
        expiresAt: expiresAt - 5_000,
      },
      null,
    );
    charged.length = 0;
    const error = await createHandler(Billing, { store, now: () => 10 })({ executionId: key.executionId }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JournalIncompleteError);
    expect((error as Error).message).toContain(message);
    expect(charged).toEqual([]);
    expect(await store.getExecution(key)).toMatchObject({ status: 'FAILED' });
  });

  it('refuses an executionTimeout over 366 days when the class is decorated', () => {
    expect(() => {
      @DurableService({ name: 'forever', executionTimeout: { days: 400 } })
      class Forever {
        @Workflow() async run() {}
      }
      return Forever;
    }).toThrow(DefinitionError);
  });
});
