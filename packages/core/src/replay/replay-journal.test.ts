import { describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  type ExecutionExport,
  exportExecution,
  MemoryStore,
  type ReplayVerdict,
  replayJournal,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';

const HOUR_MS = 3_600_000;

/** What the step bodies and callback submits of the classes below did, by name. */
const ran = new Map<string, number>();
function count(what: string): void {
  ran.set(what, (ran.get(what) ?? 0) + 1);
}

/**
 * Runs `workflow` of `service` once on a store of its own (long waits suspend at once) and exports what it
 * recorded, as `durable-gen executions export` would.
 */
async function recordRun(service: ServiceClass, input: unknown, workflow?: string): Promise<ExecutionExport> {
  const store = new MemoryStore();
  const clock = new ManualClock();
  const handler = createHandler(service, { store, now: clock.now, maxInProcessWaitMs: 0 });
  // A failed workflow rejects; what matters here is what it recorded either way.
  await handler({ executionId: 'e-1', ...(workflow === undefined ? {} : { workflow }), input }).catch(() => undefined);
  const executions = await store.listExecutions({ limit: 10 });
  const record = executions.executions.find((e) => e.executionId === 'e-1')!;
  return exportExecution(record, await store.loadJournal(record));
}

/** Replays `recorded` against `service` with the run counters cleared first: whatever they hold after, ran. */
async function replay(service: ServiceClass, recorded: ExecutionExport): Promise<ReplayVerdict> {
  ran.clear();
  return replayJournal(service, recorded);
}

// ---- one service, at several versions --------------------------------------------------------------------------

@DurableService({ name: 'orders' })
class Orders {
  @Workflow() async place(ctx: DurableContext, order: { id: string }) {
    const reserved = await this.reserve(order.id);
    await this.charge(order.id, 20);
    await ctx.sleep('settle', { hours: 1 });
    return this.ship(reserved);
  }
  @Step() async reserve(id: string) {
    count('reserve');
    return `r-${id}`;
  }
  @Step() async charge(id: string, amount: number) {
    count('charge');
    return `${id}:${amount}`;
  }
  @Step() async ship(reservation: string) {
    count('ship');
    return `shipped ${reservation}`;
  }
}

@DurableService({ name: 'orders' })
class OrdersRenamed {
  @Workflow() async place(ctx: DurableContext, order: { id: string }) {
    const reserved = await this.reserve(order.id);
    await this.chargeCard(order.id, 20);
    await ctx.sleep('settle', { hours: 1 });
    return reserved;
  }
  @Step() async reserve(id: string) {
    count('reserve');
    return `r-${id}`;
  }
  @Step() async chargeCard(id: string, amount: number) {
    count('chargeCard');
    return `${id}:${amount}`;
  }
}

@DurableService({ name: 'orders' })
class OrdersInserted {
  @Workflow() async place(ctx: DurableContext, order: { id: string }) {
    const reserved = await this.reserve(order.id);
    await this.audit(order.id);
    await this.charge(order.id, 20);
    await ctx.sleep('settle', { hours: 1 });
    return reserved;
  }
  @Step() async reserve(id: string) {
    count('reserve');
    return `r-${id}`;
  }
  @Step() async audit(id: string) {
    count('audit');
    return id;
  }
  @Step() async charge(id: string, amount: number) {
    count('charge');
    return `${id}:${amount}`;
  }
}

@DurableService({ name: 'orders' })
class OrdersArgsChanged {
  @Workflow() async place(ctx: DurableContext, order: { id: string }) {
    const reserved = await this.reserve(order.id);
    await this.charge(order.id, 25);
    await ctx.sleep('settle', { hours: 1 });
    return reserved;
  }
  @Step() async reserve(id: string) {
    count('reserve');
    return `r-${id}`;
  }
  @Step() async charge(id: string, amount: number) {
    count('charge');
    return `${id}:${amount}`;
  }
}

@DurableService({ name: 'orders' })
class OrdersShortened {
  /** `charge` and the sleep were dropped from the end. */
  @Workflow() async place(_ctx: DurableContext, order: { id: string }) {
    return this.reserve(order.id);
  }
  @Step() async reserve(id: string) {
    count('reserve');
    return `r-${id}`;
  }
}

@DurableService({ name: 'orders' })
class OrdersRenamedWorkflow {
  @Workflow() async placeOrder(_ctx: DurableContext) {
    return 'placed';
  }
}

describe('replayJournal', () => {
  it('finds a suspended execution compatible with its own code, and runs nothing', async () => {
    const recorded = await recordRun(Orders, { id: 'o-1' });
    expect(recorded.execution.status).toBe('SUSPENDED');
    expect(recorded.journal.map((op) => `${op.position} ${op.kind} ${op.name} ${op.status}`)).toEqual([
      '1 step reserve SUCCEEDED',
      '2 step charge SUCCEEDED',
      '3 sleep settle STARTED',
    ]);

    const verdict = await replay(Orders, recorded);

    expect(verdict).toEqual({
      executionId: 'e-1',
      service: 'orders',
      workflow: 'place',
      invocations: 1,
      replayed: 3,
      compatible: true,
    });
    // The sleep counts as passed (its wake time is an hour away on the wall clock), and `ship`, which the journal
    // has no outcome for, ends the replay before its body runs.
    expect(ran).toEqual(new Map());
  });

  it.each([
    [
      'a renamed step',
      OrdersRenamed,
      '2',
      { kind: 'step', name: 'charge', args: '["o-1",20]' },
      { kind: 'step', name: 'chargeCard', args: '["o-1",20]' },
      `recorded step 'charge' (["o-1",20]), code now calls step 'chargeCard'`,
    ],
    [
      'an inserted step',
      OrdersInserted,
      '2',
      { kind: 'step', name: 'charge' },
      { kind: 'step', name: 'audit', args: '["o-1"]' },
      `recorded step 'charge' (["o-1",20]), code now calls step 'audit'`,
    ],
    [
      'changed arguments',
      OrdersArgsChanged,
      '2',
      { kind: 'step', name: 'charge', args: '["o-1",20]' },
      { kind: 'step', name: 'charge', args: '["o-1",25]' },
      `recorded step 'charge' (["o-1",20]), code now calls it with ["o-1",25]`,
    ],
    [
      'operations removed at the end',
      OrdersShortened,
      '2',
      { kind: 'step', name: 'charge' },
      null,
      `recorded step 'charge' (["o-1",20]), code now returns before reaching it`,
    ],
  ])(
    'reports %s at its position, recorded against actual',
    async (_change, changed, position, recordedOp, actual, message) => {
      const recorded = await recordRun(Orders, { id: 'o-1' });

      const verdict = await replay(changed, recorded);

      expect(verdict).toMatchObject({ compatible: false, position, message });
      if (verdict.compatible) return;
      expect(verdict.recorded).toMatchObject(recordedOp);
      if (actual === null) expect(verdict.actual).toBeNull();
      else expect(verdict.actual).toMatchObject(actual);
      expect(verdict.replayed).toBe(1);
      expect(ran).toEqual(new Map());
    },
  );

  it('says so when the code no longer has the recorded workflow', async () => {
    const recorded = await recordRun(Orders, { id: 'o-1' });

    const verdict = await replay(OrdersRenamedWorkflow, recorded);

    expect(verdict).toMatchObject({
      compatible: false,
      position: '',
      recorded: null,
      actual: null,
      replayed: 0,
      message: "service 'orders' has no workflow 'place' in this code (it has 'placeOrder')",
    });
  });

  it('replays finished executions: a success, and a failure the workflow threw itself', async () => {
    const finished = await recordRun(Finishing, { fail: false });
    const failed = await recordRun(Finishing, { fail: true });
    expect([finished.execution.status, failed.execution.status]).toEqual(['SUCCEEDED', 'FAILED']);

    expect(await replay(Finishing, finished)).toMatchObject({ compatible: true, replayed: 2 });
    // The step's recorded failure is rethrown, the workflow turns it into its own error: what the journal says.
    expect(await replay(Finishing, failed)).toMatchObject({ compatible: true, replayed: 2 });
    expect(ran).toEqual(new Map());
  });

  it('does not depend on the wall clock: a journal recorded long ago, past its lifetimes, replays', async () => {
    const recorded = await recordRun(Orders, { id: 'o-1' });
    const yearsAgo = Date.UTC(2021, 0, 1);
    const shift = recorded.execution.createdAt - yearsAgo;
    const old: ExecutionExport = {
      ...recorded,
      execution: {
        ...recorded.execution,
        createdAt: recorded.execution.createdAt - shift,
        updatedAt: recorded.execution.updatedAt - shift,
        timeoutAt: yearsAgo + HOUR_MS,
        expiresAt: yearsAgo + 2 * HOUR_MS,
      },
      journal: recorded.journal.map((op) => ({
        ...op,
        updatedAt: op.updatedAt - shift,
        ...(op.wakeAt === undefined ? {} : { wakeAt: op.wakeAt - shift }),
        expiresAt: yearsAgo + 2 * HOUR_MS,
      })),
    };

    expect(await replay(Orders, old)).toMatchObject({ compatible: true, replayed: 3 });
    expect(await replay(OrdersRenamed, old)).toMatchObject({ compatible: false, position: '2' });
  });
});

// ---- what must never run in a replay ---------------------------------------------------------------------------

@DurableService({ name: 'finishing' })
class Finishing {
  @Workflow() async run(ctx: DurableContext, input: { fail: boolean }) {
    const id = await ctx.uuid();
    try {
      return await this.risky(input.fail, id.length);
    } catch (error) {
      throw new Error(`gave up: ${(error as Error).message}`);
    }
  }
  @Step({ retry: { maxAttempts: 1 } }) async risky(fail: boolean, length: number) {
    count('risky');
    if (fail) throw new Error('declined');
    return length;
  }
}

@DurableService({ name: 'waiting' })
class Waiting {
  @Workflow() async approve(ctx: DurableContext, input: { id: string }) {
    await this.prepare(input.id);
    const answer = await ctx.waitForCallback<string>('approval', () => count('submit'), { timeout: { hours: 2 } });
    await this.apply(answer);
    return ctx.now();
  }
  @Workflow() async flaky(_ctx: DurableContext) {
    return this.unreliable();
  }
  @Step() async prepare(id: string) {
    count('prepare');
    return id;
  }
  @Step() async apply(answer: string) {
    count('apply');
    return answer;
  }
  @Step({ retry: { maxAttempts: 5, initialDelayMs: HOUR_MS } }) async unreliable() {
    count('unreliable');
    throw new Error('down');
  }
}

@DurableService({ name: 'waiting' })
class WaitingLonger {
  /** The approval may now take four hours. */
  @Workflow() async approve(ctx: DurableContext, input: { id: string }) {
    await this.prepare(input.id);
    const answer = await ctx.waitForCallback<string>('approval', () => count('submit'), { timeout: { hours: 4 } });
    return answer;
  }
  @Step() async prepare(id: string) {
    count('prepare');
    return id;
  }
}

@DurableService({ name: 'fan' })
class Fan {
  @Workflow() async spread(ctx: DurableContext) {
    const results = await ctx.parallel<unknown>('spread', [
      async (c) => c.sleep('cool', { hours: 1 }),
      async () => this.left(1),
      async () => this.right(2),
    ]);
    return this.after(results.length);
  }
  @Step() async left(n: number) {
    count('left');
    return n;
  }
  @Step() async right(n: number) {
    count('right');
    return n;
  }
  @Step() async after(n: number) {
    count('after');
    return n;
  }
}

@DurableService({ name: 'fan' })
class FanChangedBranch {
  @Workflow() async spread(ctx: DurableContext) {
    const results = await ctx.parallel<unknown>('spread', [
      async (c) => c.sleep('cool', { hours: 1 }),
      async () => this.left(1),
      async () => this.other(2),
    ]);
    return this.after(results.length);
  }
  @Step() async left(n: number) {
    count('left');
    return n;
  }
  @Step() async other(n: number) {
    count('other');
    return n;
  }
  @Step() async after(n: number) {
    count('after');
    return n;
  }
}

describe('replayJournal runs nothing', () => {
  it('stops at a callback still awaited: its submit and the steps after it never run', async () => {
    const recorded = await recordRun(Waiting, { id: 'w-1' }, 'approve');
    expect(recorded.journal.map((op) => `${op.kind} ${op.status}`)).toEqual(['step SUCCEEDED', 'callback STARTED']);

    expect(await replay(Waiting, recorded)).toMatchObject({ compatible: true, replayed: 2 });
    expect(ran).toEqual(new Map());
  });

  it("compares an awaited callback's timeout with the code's, still without submitting it", async () => {
    const recorded = await recordRun(Waiting, { id: 'w-1' }, 'approve');

    const verdict = await replay(WaitingLonger, recorded);

    expect(verdict).toMatchObject({
      compatible: false,
      position: '2',
      recorded: { kind: 'callback', name: 'approval', args: 'timeout 7200000 ms' },
      actual: { kind: 'callback', name: 'approval', args: 'timeout 14400000 ms' },
      message: "recorded callback 'approval' (timeout 7200000 ms), code now calls it with timeout 14400000 ms",
    });
    expect(ran).toEqual(new Map());
  });

  it.each([
    ['the next step body', Orders, undefined, { id: 'o-1' }, 1],
    ['the callback submit', Waiting, 'approve', { id: 'w-1' }, 1],
    ['a step in a parallel branch', Fan, undefined, undefined, 1],
  ])('stops where an invocation died, before %s runs', async (_what, service, workflow, input, kept) => {
    const recorded = await recordRun(service, input, workflow);
    // What the journal holds when the invocation that went on from here died before writing anything more.
    const cut: ExecutionExport = {
      ...recorded,
      execution: { ...recorded.execution, status: 'RUNNING' },
      journal: recorded.journal.slice(0, kept),
    };

    expect(await replay(service, cut)).toMatchObject({ compatible: true, replayed: kept });
    expect(ran).toEqual(new Map());
  });

  it('stops at a step waiting to retry: its body does not run again', async () => {
    const recorded = await recordRun(Waiting, {}, 'flaky');
    expect(recorded.journal.map((op) => `${op.kind} ${op.status}`)).toEqual(['step RETRYING']);

    expect(await replay(Waiting, recorded)).toMatchObject({ compatible: true, replayed: 0 });
    expect(ran.get('unreliable')).toBeUndefined();
  });

  it('replays the branches of a parallel under way, and finds a change inside one', async () => {
    const recorded = await recordRun(Fan, undefined);
    expect(recorded.journal.map((op) => `${op.position} ${op.kind} ${op.name} ${op.status}`)).toEqual([
      '1 parallel spread STARTED',
      '1.1.1 sleep cool STARTED',
      '1.2.1 step left SUCCEEDED',
      '1.3.1 step right SUCCEEDED',
    ]);

    expect(await replay(Fan, recorded)).toMatchObject({ compatible: true, replayed: 4 });
    expect(ran).toEqual(new Map());

    const verdict = await replay(FanChangedBranch, recorded);
    expect(verdict).toMatchObject({
      compatible: false,
      position: '1.3.1',
      recorded: { kind: 'step', name: 'right' },
      actual: { kind: 'step', name: 'other' },
    });
    expect(ran).toEqual(new Map());
  });
});

// ---- journals the engine did not write -------------------------------------------------------------------------

@DurableService({ name: 'pair' })
class Pair {
  @Workflow() async run(ctx: DurableContext) {
    return ctx.parallel('both', [async () => this.echo(1), async () => this.echo(2)]);
  }
  @Step() async echo(value: number) {
    count('echo');
    return value;
  }
}

describe('replayJournal of a journal no engine wrote', () => {
  it('answers a divergent verdict, saying why, when its own writes over the records are refused', async () => {
    const recorded = await recordRun(Pair, null);
    // The parallel's marker still STARTED, as if its end write was lost, but at an attempt the engine never writes
    // (parseExecutionExport refuses such a file; a journal handed over in code is not parsed).
    const edited: ExecutionExport = {
      ...recorded,
      journal: recorded.journal.map((op) =>
        op.kind === 'parallel' ? { ...op, status: 'STARTED' as const, attempt: 2 } : op,
      ),
    };

    const verdict = await replay(Pair, edited);

    expect(verdict).toMatchObject({ compatible: false, position: '', recorded: null, actual: null, replayed: 3 });
    if (verdict.compatible) return;
    expect(verdict.message).toBe(
      'the journal holds records the engine does not write (replaying it, a write the engine makes over its own ' +
        'record was refused), so it cannot be replayed: replay an unedited export of it',
    );
    expect(ran).toEqual(new Map());
  });
});
