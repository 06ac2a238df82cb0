import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  ExecutionBusyError,
  InvalidTargetArnError,
  type Invoker,
  Step,
  StoreUnavailableError,
  UnknownWorkflowError,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;
const HOUR_MS = 3_600_000;

@DurableService({ name: 'stuck' })
class Before {
  @Workflow()
  async review(ctx: DurableContext) {
    await ctx.sleep('cooldown', { ms: HOUR_MS });
    return 'reviewed';
  }

  @Workflow()
  async notify(ctx: DurableContext) {
    await this.prepare();
    return ctx.invoke({ service: 'notifier', workflow: 'send' }, { to: 'ana' });
  }

  @Step()
  async prepare(): Promise<string> {
    return 'prepared';
  }
}

/** The same service after a deploy that renamed its workflow. */
@DurableService({ name: 'stuck' })
class Renamed {
  @Workflow()
  async inspect(ctx: DurableContext) {
    await ctx.sleep('cooldown', { ms: HOUR_MS });
    return 'inspected';
  }
}

/** An invoker whose every call fails with `error`. */
function failingInvoker(error: unknown): Invoker {
  return {
    invoke: async () => {
      throw error;
    },
  };
}

/** Asserts the execution is not held: no lease, due to be resumed now. */
async function expectReleased(store: CheckpointStore, executionId: string, now: number) {
  const record = await store.getExecution({ service: 'stuck', executionId });
  expect(record?.status).toBe('SUSPENDED');
  expect(record?.leaseOwner).toBeUndefined();
  expect(record?.resumeAt).toBeLessThanOrEqual(now);
}

describe('after the claim, every error ends the execution or leaves it resumable', () => {
  it('gives the lease back when the deployed code lacks the recorded workflow, and the old code resumes it', async () => {
    const store = testStore();
    const clock = new ManualClock();
    const executionId = `renamed${RUN}`;
    const options = { store, now: clock.now, maxInProcessWaitMs: 0 };
    await createHandler(Before, options)({ executionId, workflow: 'review', input: {} });
    clock.advance(HOUR_MS);

    await expect(createHandler(Renamed, options)({ executionId })).rejects.toThrow(UnknownWorkflowError);
    await expectReleased(store, executionId, clock.now());
    // Not busy for the next try: the code that has the workflow finishes it.
    expect(await createHandler(Before, options)({ executionId })).toMatchObject({
      status: 'SUCCEEDED',
      output: 'reviewed',
    });
  });

  it('records a target ARN no retry can fix as the invoke’s failure, and the execution ends', async () => {
    const store = testStore();
    const executionId = `bad-arn${RUN}`;
    const invoker = failingInvoker(new InvalidTargetArnError('notifier', 'no ARN is configured: set X'));
    const handler = createHandler(Before, { store, invoker });
    await expect(handler({ executionId, workflow: 'notify', input: {} })).rejects.toThrow(InvalidTargetArnError);
    const record = await store.getExecution({ service: 'stuck', executionId });
    expect(record).toMatchObject({ status: 'FAILED' });
    const journal = await store.loadJournal({ service: 'stuck', executionId });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.status}`)).toEqual(['1 step SUCCEEDED', '2 invoke FAILED']);
  });

  it.each([
    ['a busy child', new ExecutionBusyError('parent/2', undefined)],
    ['an unreachable child', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('gives the lease back when %s makes the invocation throw, so the next try is not busy', async (_what, error) => {
    const store = testStore();
    const clock = new ManualClock();
    const executionId = `child${RUN}-${Math.random()}`;
    const handler = createHandler(Before, { store, now: clock.now, invoker: failingInvoker(error) });
    await expect(handler({ executionId, workflow: 'notify', input: {} })).rejects.toBe(error);
    await expectReleased(store, executionId, clock.now());
    const succeeding = createHandler(Before, {
      store,
      now: clock.now,
      invoker: { invoke: async () => ({ status: 'SUCCEEDED', output: 'sent' }) },
    });
    expect(await succeeding({ executionId })).toMatchObject({ status: 'SUCCEEDED', output: 'sent' });
  });

  it('gives the lease back when the store fails after the claim', async () => {
    const inner = testStore();
    let failLoads = true;
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'loadJournal' && failLoads) {
          return async () => {
            throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const clock = new ManualClock();
    const executionId = `store${RUN}`;
    const options = { store, now: clock.now, maxInProcessWaitMs: 0 };
    await createHandler(Before, options)({ executionId, workflow: 'review', input: {} });
    clock.advance(HOUR_MS);
    await expect(createHandler(Before, options)({ executionId })).rejects.toThrow(StoreUnavailableError);
    await expectReleased(inner, executionId, clock.now());
    failLoads = false;
    expect(await createHandler(Before, options)({ executionId })).toMatchObject({ status: 'SUCCEEDED' });
  });
});
