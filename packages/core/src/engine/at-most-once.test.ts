import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  type OperationRecord,
  Step,
  StepInterruptedError,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

const LEASE_MS = 1_000;
/** Further than any lease of these tests (leaseMs plus the engine's grace): the first invocation counts as dead. */
const PAST_THE_LEASE_MS = 60_000;

/** What the at-most-once bodies below do; each test sets it up with {@link setUp}. */
interface Probe {
  store: CheckpointStore;
  runs: number;
  /** What the body saw in the store when it started, per run. */
  seenAtStart: OperationRecord[][];
  /** Runs up to this one never return: their invocation "crashes" inside the body. */
  hangingRuns: number;
  /** Called each time a run enters the body. */
  onEnter: () => void;
}

let probe: Probe;

function setUp(hangingRuns: number): Probe {
  probe = { store: testStore(), runs: 0, seenAtStart: [], hangingRuns, onEnter: () => {} };
  return probe;
}

/** Resolves once the body has been entered `run` times. */
function bodyEntered(run: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (probe.runs >= run) resolve();
    };
    probe.onEnter = check;
    check();
  });
}

async function chargeBody(service: string, executionId: string, amount: number): Promise<string> {
  probe.runs += 1;
  const run = probe.runs;
  probe.seenAtStart.push(await probe.store.loadJournal({ service, executionId }));
  probe.onEnter();
  if (run <= probe.hangingRuns) return new Promise<string>(() => {});
  return `charged ${amount} (run ${run})`;
}

@DurableService({ name: 'payments' })
class Payments {
  @Workflow()
  async pay(ctx: DurableContext, input: { amount: number }) {
    try {
      const receipt = await this.charge(ctx.executionId, input.amount);
      return { receipt };
    } catch (error) {
      if (!(error instanceof StepInterruptedError)) throw error;
      const audit = await this.audit(error.code);
      return { interrupted: error.code, position: error.position, attempt: error.attempt, audit };
    }
  }

  @Step({ semantics: 'at-most-once' })
  async charge(executionId: string, amount: number): Promise<string> {
    return chargeBody('payments', executionId, amount);
  }

  @Step()
  async audit(code: string): Promise<string> {
    return `audited ${code}`;
  }
}

@DurableService({ name: 'retried-payments' })
class RetriedPayments {
  @Workflow()
  async pay(ctx: DurableContext, input: { amount: number }) {
    return { receipt: await this.charge(ctx.executionId, input.amount) };
  }

  @Step({ semantics: 'at-most-once', retry: { maxAttempts: 2 } })
  async charge(executionId: string, amount: number): Promise<string> {
    return chargeBody('retried-payments', executionId, amount);
  }
}

describe('at-most-once steps', () => {
  it('records a STARTED record before the body runs', async () => {
    const { store } = setUp(0);
    const result = await createHandler(Payments, { store })({ executionId: `a1${RUN}`, input: { amount: 5 } });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { receipt: 'charged 5 (run 1)' } });
    expect(probe.seenAtStart).toHaveLength(1);
    expect(probe.seenAtStart[0]).toMatchObject([
      { position: '1', kind: 'step', name: 'charge', status: 'STARTED', attempt: 1 },
    ]);
    expect(await store.loadJournal({ service: 'payments', executionId: `a1${RUN}` })).toMatchObject([
      { position: '1', status: 'SUCCEEDED', attempt: 1 },
    ]);
  });

  it('does not run an interrupted step again: the workflow gets a catchable StepInterruptedError', async () => {
    const { store } = setUp(1);
    const clock = new ManualClock();
    const handler = createHandler(Payments, { store, now: clock.now, leaseMs: LEASE_MS });

    // The first invocation dies inside the body: its promise never settles.
    void handler({ executionId: `a2${RUN}`, input: { amount: 7 } });
    await bodyEntered(1);

    clock.advance(PAST_THE_LEASE_MS);
    const result = await handler({ executionId: `a2${RUN}`, input: { amount: 7 } });

    expect(probe.runs).toBe(1);
    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: `a2${RUN}`,
      output: { interrupted: 'STEP_INTERRUPTED', position: '1', attempt: 1, audit: 'audited STEP_INTERRUPTED' },
    });
    const journal = await store.loadJournal({ service: 'payments', executionId: `a2${RUN}` });
    expect(journal.map((r) => r.position)).toEqual(['1', '2']);
    expect(journal[0]).toMatchObject({ name: 'charge', status: 'FAILED', attempt: 1 });
    expect(journal[0]!.error).toContain('STEP_INTERRUPTED');
    expect(journal[1]).toMatchObject({ name: 'audit', status: 'SUCCEEDED' });
    expect(await store.getExecution({ service: 'payments', executionId: `a2${RUN}` })).toMatchObject({
      status: 'SUCCEEDED',
      invocations: 2,
    });
  });

  it('refuses a second invocation while the first one still holds the lease', async () => {
    const { store } = setUp(1);
    const clock = new ManualClock();
    const handler = createHandler(Payments, { store, now: clock.now, leaseMs: LEASE_MS });

    void handler({ executionId: `a3${RUN}`, input: { amount: 1 } });
    await bodyEntered(1);

    await expect(handler({ executionId: `a3${RUN}` })).rejects.toMatchObject({
      code: 'EXECUTION_BUSY',
      retryable: true,
    });
    expect(probe.runs).toBe(1);
    expect(await store.loadJournal({ service: 'payments', executionId: `a3${RUN}` })).toMatchObject([
      { status: 'STARTED', attempt: 1 },
    ]);
  });

  it('runs attempt 2 after a crash when the retry policy allows two attempts', async () => {
    const { store } = setUp(1);
    const clock = new ManualClock();
    const handler = createHandler(RetriedPayments, { store, now: clock.now, leaseMs: LEASE_MS });

    void handler({ executionId: `a4${RUN}`, input: { amount: 9 } });
    await bodyEntered(1);

    clock.advance(PAST_THE_LEASE_MS);
    const result = await handler({ executionId: `a4${RUN}` });

    expect(result).toEqual({ status: 'SUCCEEDED', executionId: `a4${RUN}`, output: { receipt: 'charged 9 (run 2)' } });
    expect(probe.runs).toBe(2);
    // The second run saw the first run's start, and recorded its own before running the body.
    expect(probe.seenAtStart[1]).toMatchObject([{ position: '1', status: 'STARTED', attempt: 2 }]);
    expect(await store.loadJournal({ service: 'retried-payments', executionId: `a4${RUN}` })).toMatchObject([
      { position: '1', kind: 'step', name: 'charge', status: 'SUCCEEDED', attempt: 2 },
    ]);
    expect(await store.getExecution({ service: 'retried-payments', executionId: `a4${RUN}` })).toMatchObject({
      status: 'SUCCEEDED',
    });
  });

  it('fails the execution with StepInterruptedError when the workflow does not catch it', async () => {
    const { store } = setUp(2);
    const clock = new ManualClock();
    const handler = createHandler(RetriedPayments, { store, now: clock.now, leaseMs: LEASE_MS });

    // Two crashes use up both attempts.
    void handler({ executionId: `a5${RUN}`, input: { amount: 3 } });
    await bodyEntered(1);
    clock.advance(PAST_THE_LEASE_MS);
    void handler({ executionId: `a5${RUN}` });
    await bodyEntered(2);

    clock.advance(PAST_THE_LEASE_MS);
    await expect(handler({ executionId: `a5${RUN}` })).rejects.toMatchObject({
      code: 'STEP_INTERRUPTED',
      position: '1',
      attempt: 2,
    });
    expect(probe.runs).toBe(2);
    expect(await store.loadJournal({ service: 'retried-payments', executionId: `a5${RUN}` })).toMatchObject([
      { position: '1', status: 'FAILED', attempt: 2 },
    ]);
    expect(await store.getExecution({ service: 'retried-payments', executionId: `a5${RUN}` })).toMatchObject({
      status: 'FAILED',
    });
  });
});
