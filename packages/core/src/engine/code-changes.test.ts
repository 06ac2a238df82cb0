import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  NonDeterminismError,
  type ServiceClass,
  Step,
  StepInterruptedError,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;
const HOUR_MS = 3_600_000;

/** Side effects of the step bodies, in order. */
const effects: string[] = [];
/** Step bodies that never return while this is set: their invocation "dies" inside them. */
let hang = false;
const never = new Promise<never>(() => {});

/** One service at two versions: `Old` recorded the journal, `New` is deployed under it. */
function versions(name: string, old: ServiceClass, changed: ServiceClass) {
  const store = testStore();
  const clock = new ManualClock();
  const options = { store, now: clock.now, maxInProcessWaitMs: 0, leaseMs: 1_000 };
  return {
    store,
    clock,
    key: (executionId: string) => ({ service: name, executionId }),
    old: createHandler(old, options),
    changed: createHandler(changed, options),
  };
}

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// ---- a map branch that now ends early -------------------------------------------------------

@DurableService({ name: 'branches' })
class BranchesBefore {
  @Workflow()
  async run(ctx: DurableContext, items: { sleep: boolean }[]) {
    return ctx.map(
      'items',
      items,
      async (item, index, c) => {
        await this.fetch(index);
        if (item.sleep) await c.sleep('wait', { ms: HOUR_MS });
        return this.store(index);
      },
      { maxConcurrency: 1 },
    );
  }

  @Step() async fetch(index: number) {
    effects.push(`fetch ${index}`);
    return index;
  }

  @Step() async store(index: number) {
    effects.push(`store ${index}`);
    return index;
  }
}

@DurableService({ name: 'branches' })
class BranchesAfter {
  /** `store` was dropped from the end of each item, and a new step follows the map. */
  @Workflow()
  async run(ctx: DurableContext, items: { sleep: boolean }[]) {
    const fetched = await ctx.map(
      'items',
      items,
      async (item, index, c) => {
        const value = await this.fetch(index);
        if (item.sleep) await c.sleep('wait', { ms: HOUR_MS });
        return value;
      },
      { maxConcurrency: 1 },
    );
    return this.publish(fetched);
  }

  @Step() async fetch(index: number) {
    effects.push(`fetch ${index}`);
    return index;
  }

  @Step() async publish(values: number[]) {
    effects.push('publish');
    return values;
  }
}

// ---- parameters of sleeps, callbacks and parallels ------------------------------------------

@DurableService({ name: 'params' })
class ParamsBefore {
  @Workflow() async nap(ctx: DurableContext) {
    await ctx.sleep('nap', { minutes: 5 });
    return this.after();
  }

  @Workflow() async approval(ctx: DurableContext) {
    return ctx.waitForCallback('approval', () => {}, { timeout: { hours: 1 } });
  }

  @Workflow() async fan(ctx: DurableContext) {
    return ctx.parallel<unknown>('fan', [async (c) => c.sleep('a', { ms: HOUR_MS }), async () => this.after()]);
  }

  @Step() async after() {
    effects.push('after');
    return 'after';
  }
}

@DurableService({ name: 'params' })
class ParamsAfter {
  @Workflow() async nap(ctx: DurableContext) {
    await ctx.sleep('nap', { minutes: 50 });
    return this.after();
  }

  @Workflow() async approval(ctx: DurableContext) {
    return ctx.waitForCallback('approval', () => {}, { timeout: { hours: 2 } });
  }

  /** A third branch appeared while the parallel was under way. */
  @Workflow() async fan(ctx: DurableContext) {
    return ctx.parallel<unknown>('fan', [
      async (c) => c.sleep('a', { ms: HOUR_MS }),
      async () => this.after(),
      async () => this.after(),
    ]);
  }

  @Step() async after() {
    effects.push('after');
    return 'after';
  }
}

@DurableService({ name: 'params' })
class ParamsAsMap {
  /** The parallel became a map of another name. */
  @Workflow() async fan(ctx: DurableContext) {
    return ctx.map('fan-out', [1, 2], async (i, _index, c) => (i === 1 ? c.sleep('a', { ms: HOUR_MS }) : this.after()));
  }

  @Step() async after() {
    effects.push('after');
    return 'after';
  }
}

// ---- step semantics, retry policies, arguments -----------------------------------------------

async function pay(): Promise<string> {
  effects.push('charge');
  if (hang) await never;
  return 'charged';
}

@DurableService({ name: 'charges' })
class ChargesBefore {
  @Workflow() async once(_ctx: DurableContext) {
    return this.charge();
  }

  @Workflow() async inline(ctx: DurableContext) {
    return ctx.step('charge', pay, { semantics: 'at-most-once' });
  }

  @Workflow() async flaky(_ctx: DurableContext) {
    return this.flake();
  }

  @Workflow() async args(ctx: DurableContext, input: { note: string }) {
    const label = await this.label({ text: input.note, extra: undefined }, -0);
    await ctx.sleep('pause', { ms: HOUR_MS });
    return label;
  }

  @Step({ semantics: 'at-most-once' }) async charge() {
    return pay();
  }

  @Step({ retry: { maxAttempts: 5, initialDelayMs: HOUR_MS, jitter: 'none' } }) async flake(): Promise<string> {
    effects.push('flake');
    throw new Error('flaky');
  }

  @Step() async label(value: { text: string; extra?: string }, _zero: number, _unused?: string) {
    return value.text;
  }
}

@DurableService({ name: 'charges' })
class ChargesAfter {
  @Workflow() async once(_ctx: DurableContext) {
    return this.charge();
  }

  @Workflow() async inline(ctx: DurableContext) {
    return ctx.step('charge', pay);
  }

  @Workflow() async flaky(_ctx: DurableContext) {
    return this.flake();
  }

  /** JSON-equal arguments: no `extra` key, 0 for -0, an explicit trailing undefined. */
  @Workflow() async args(ctx: DurableContext, input: { note: string }) {
    const label = await this.label({ text: input.note }, 0, undefined);
    await ctx.sleep('pause', { ms: HOUR_MS });
    return label;
  }

  /** Someone "relaxed" the semantics while a charge was in flight. */
  @Step() async charge() {
    return pay();
  }

  @Step({ retry: { maxAttempts: 1 } }) async flake(): Promise<string> {
    effects.push('flake');
    throw new Error('flaky');
  }

  @Step() async label(value: { text: string; extra?: string }, _zero: number, _unused?: string) {
    return value.text;
  }
}

@DurableService({ name: 'charges' })
class ChargesOtherArgs {
  @Workflow() async args(ctx: DurableContext, input: { note: string }) {
    const label = await this.label({ text: `${input.note}!` }, 0);
    await ctx.sleep('pause', { ms: HOUR_MS });
    return label;
  }

  @Step() async label(value: { text: string }, _zero: number) {
    return value.text;
  }
}

describe('code changed under a running execution', () => {
  it('notices a map branch that ends before the operations it recorded, before the next branch runs anything new', async () => {
    const { old, changed, clock } = versions('branches', BranchesBefore, BranchesAfter);
    effects.length = 0;
    const executionId = `branch${RUN}`;
    const input = [{ sleep: false }, { sleep: true }];
    expect((await old({ executionId, input })).status).toBe('SUSPENDED');
    expect(effects).toEqual(['fetch 0', 'store 0', 'fetch 1']);
    clock.advance(HOUR_MS);
    const error = await failure(changed({ executionId }));
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as NonDeterminismError).position).toBe('1.1.2');
    expect(effects).toEqual(['fetch 0', 'store 0', 'fetch 1']); // nothing new ran: no publish
  });

  it.each([
    ['a sleep’s duration', 'nap', ParamsAfter, /300000 ms.*3000000 ms|3000000 ms.*300000 ms/],
    ['a callback’s timeout', 'approval', ParamsAfter, /timeout 3600000 ms.*timeout 7200000 ms/],
    ['the branch count of a parallel under way', 'fan', ParamsAfter, /2 branches.*3 branches/],
    ['a parallel under way becoming a map of another name', 'fan', ParamsAsMap, /map 'fan-out'/],
  ])('fails on a change of %s', async (_what, workflow, Changed, message) => {
    const { old, changed } = versions('params', ParamsBefore, Changed);
    effects.length = 0;
    const executionId = `${workflow}-${Changed.name}${RUN}`;
    expect((await old({ executionId, workflow, input: {} })).status).toBe('SUSPENDED');
    const error = await failure(changed({ executionId }));
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['@Step', 'once'],
    ['inline ctx.step', 'inline'],
  ])(
    'keeps the recorded at-most-once semantics of a %s that crashed, even if the code now says at-least-once',
    async (_what, workflow) => {
      const { old, changed, clock, store, key } = versions('charges', ChargesBefore, ChargesAfter);
      effects.length = 0;
      hang = true;
      const executionId = `crashed-${workflow}${RUN}`;
      void old({ executionId, workflow, input: {} }); // dies inside the charge: STARTED is recorded, nothing else
      // Wait for the body itself, not the STARTED record: the record lands before the body reads `hang`,
      // and clearing it in between would let the "dead" invocation finish the charge.
      while (!effects.includes('charge')) await new Promise((r) => setTimeout(r, 5));
      hang = false;
      expect(await store.loadJournal(key(executionId))).toHaveLength(1);
      clock.advance(HOUR_MS); // past the dead invocation's lease
      const error = await failure(changed({ executionId }));
      expect(error).toBeInstanceOf(StepInterruptedError);
      expect(effects).toEqual(['charge']); // never a second charge
    },
  );

  it('does not run another attempt when maxAttempts was lowered below the attempts already made', async () => {
    const { old, changed, clock } = versions('charges', ChargesBefore, ChargesAfter);
    effects.length = 0;
    const executionId = `lowered${RUN}`;
    expect((await old({ executionId, workflow: 'flaky', input: {} })).status).toBe('SUSPENDED');
    clock.advance(HOUR_MS);
    const error = await failure(changed({ executionId }));
    expect((error as Error).message).toBe('flaky');
    expect(effects).toEqual(['flake']);
  });

  it('treats JSON-equal arguments as the same: a missing undefined field, -0 and 0, a trailing undefined', async () => {
    const { old, changed, clock } = versions('charges', ChargesBefore, ChargesAfter);
    const executionId = `args${RUN}`;
    expect((await old({ executionId, workflow: 'args', input: { note: 'n' } })).status).toBe('SUSPENDED');
    clock.advance(HOUR_MS);
    expect(await changed({ executionId })).toMatchObject({ status: 'SUCCEEDED', output: 'n' });
  });

  it('shows the recorded and the current arguments when they differ', async () => {
    const { old, changed, clock } = versions('charges', ChargesBefore, ChargesOtherArgs);
    const executionId = `other-args${RUN}`;
    expect((await old({ executionId, workflow: 'args', input: { note: 'note' } })).status).toBe('SUSPENDED');
    clock.advance(HOUR_MS);
    const error = await failure(changed({ executionId }));
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect((error as Error).message).toContain('"note"');
    expect((error as Error).message).toContain('"note!"');
  });
});
