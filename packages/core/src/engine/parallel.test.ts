import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ContextMisuseError,
  createHandler,
  type DurableContext,
  DurableService,
  type OperationEvent,
  type OperationRecord,
  Step,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

const fiveSecondsLeft = { getRemainingTimeInMillis: () => 5_000 };
const HOUR_MS = 3_600_000;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Side effects of the step bodies below, in the order they finished. */
const finished: string[] = [];
/** How long the body of `work(label)` takes, per label (default 0). */
let delayFor: Record<string, number> = {};
let activeBodies = 0;
let maxActiveBodies = 0;

function reset(delays: Record<string, number> = {}): void {
  finished.length = 0;
  delayFor = delays;
  activeBodies = 0;
  maxActiveBodies = 0;
}

@DurableService({ name: 'fan-out' })
class FanOut {
  @Workflow()
  async fan(ctx: DurableContext, input: { labels: string[] }) {
    return ctx.parallel(
      'fan',
      input.labels.map((label) => async () => [await this.work(label), await this.work(`${label}+`)]),
    );
  }

  @Workflow()
  async each(ctx: DurableContext, input: { labels: string[]; maxConcurrency?: number }) {
    const options = input.maxConcurrency === undefined ? {} : { maxConcurrency: input.maxConcurrency };
    return ctx.map('each', input.labels, async (label) => this.work(label), options);
  }

  @Workflow()
  async risky(ctx: DurableContext) {
    try {
      await ctx.parallel('risky', [
        async () => this.work('slow-ok'),
        async () => {
          await this.work('before-failure');
          throw new Error('branch 2 failed');
        },
        async () => {
          throw new Error('branch 3 failed');
        },
        async () => this.work('late-ok'),
      ]);
      return 'unreachable';
    } catch (error) {
      return { message: (error as Error).message, finishedBeforeThrow: [...finished].sort() };
    }
  }

  @Workflow()
  async thenSleep(ctx: DurableContext) {
    const results = await ctx.map('each', ['a', 'b', 'c'], async (label) => this.work(label));
    await ctx.sleep('cooldown', { hours: 1 });
    return results;
  }

  @Workflow()
  async branchSleeps(ctx: DurableContext) {
    return ctx.parallel('mixed', [
      async (branch: DurableContext) => {
        const before = await this.work('sleeper');
        await branch.sleep('nap', { hours: 1 });
        return [before, await this.work('sleeper-after')];
      },
      async () => [await this.work('busy')],
      async () => [await this.work('quick')],
    ]);
  }

  @Workflow()
  async nested(ctx: DurableContext) {
    return ctx.map('orders', ['o1', 'o2'], async (order, _index, branch) =>
      branch.parallel('lines', [async () => this.work(`${order}-x`), async () => this.work(`${order}-y`)]),
    );
  }

  @Step()
  async work(label: string): Promise<string> {
    activeBodies += 1;
    maxActiveBodies = Math.max(maxActiveBodies, activeBodies);
    try {
      await pause(delayFor[label] ?? 0);
      finished.push(label);
      return label.toUpperCase();
    } finally {
      activeBodies -= 1;
    }
  }
}

function shape(journal: readonly OperationRecord[]): string[] {
  return journal.map((r) => `${r.position} ${r.kind} ${r.name} ${r.status} ${r.argsHash} ${r.result ?? ''}`);
}

function recorder(): { events: OperationEvent[]; observer: { onOperation(event: OperationEvent): void } } {
  const events: OperationEvent[] = [];
  return { events, observer: { onOperation: (event) => events.push(event) } };
}

describe('ctx.parallel and ctx.map', () => {
  it('gives branches the same hierarchical positions whatever order they finish in', async () => {
    const store = testStore();
    const handler = createHandler(FanOut, { store });
    const input = { labels: ['a', 'b', 'c'] };

    reset({ a: 8, b: 4, c: 0 });
    const first = await handler({ executionId: `reverse${RUN}`, workflow: 'fan', input });
    const firstOrder = [...finished];
    reset({ a: 0, b: 4, c: 8 });
    const second = await handler({ executionId: `forward${RUN}`, workflow: 'fan', input });
    const secondOrder = [...finished];

    // The branches really did finish in different orders…
    expect(firstOrder.indexOf('c')).toBeLessThan(firstOrder.indexOf('a'));
    expect(secondOrder.indexOf('a')).toBeLessThan(secondOrder.indexOf('c'));
    // …yet results come in input order and the journals are identical.
    const output = [
      ['A', 'A+'],
      ['B', 'B+'],
      ['C', 'C+'],
    ];
    expect(first).toMatchObject({ status: 'SUCCEEDED', output });
    expect(second).toMatchObject({ status: 'SUCCEEDED', output });
    const reverseJournal = await store.loadJournal({ service: 'fan-out', executionId: `reverse${RUN}` });
    const forwardJournal = await store.loadJournal({ service: 'fan-out', executionId: `forward${RUN}` });
    expect(reverseJournal.map((r) => `${r.position} ${r.kind}`)).toEqual([
      '1 parallel',
      '1.1.1 step',
      '1.1.2 step',
      '1.2.1 step',
      '1.2.2 step',
      '1.3.1 step',
      '1.3.2 step',
    ]);
    expect(shape(forwardJournal)).toEqual(shape(reverseJournal));
  });

  it('returns map results in item order', async () => {
    reset({ first: 6, second: 3, third: 0 });
    const store = testStore();
    const result = await createHandler(FanOut, { store })({
      executionId: `m1${RUN}`,
      workflow: 'each',
      input: { labels: ['first', 'second', 'third'] },
    });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: ['FIRST', 'SECOND', 'THIRD'] });
    expect(finished).toEqual(['third', 'second', 'first']);
    const journal = await store.loadJournal({ service: 'fan-out', executionId: `m1${RUN}` });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.name}`)).toEqual([
      '1 map each',
      '1.1.1 step work',
      '1.2.1 step work',
      '1.3.1 step work',
    ]);
  });

  it('runs at most maxConcurrency map items at once', async () => {
    const labels = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'];
    reset(Object.fromEntries(labels.map((label, index) => [label, 1 + (index % 3)])));
    const store = testStore();
    const result = await createHandler(FanOut, { store })({
      executionId: `m2${RUN}`,
      workflow: 'each',
      input: { labels, maxConcurrency: 2 },
    });

    expect(result).toMatchObject({ output: labels.map((label) => label.toUpperCase()) });
    expect(maxActiveBodies).toBe(2);
    expect(finished).toHaveLength(labels.length);
  });

  it('refuses a maxConcurrency below 1 with ConfigurationError, running nothing', async () => {
    reset();
    const store = testStore();
    const handler = createHandler(FanOut, { store });

    await expect(
      handler({ executionId: `m3${RUN}`, workflow: 'each', input: { labels: ['x'], maxConcurrency: 0 } }),
    ).rejects.toMatchObject({ code: 'CONFIGURATION', message: expect.stringContaining('maxConcurrency must be >= 1') });
    expect(finished).toEqual([]);
  });

  it('throws the first failure by branch index, after every branch settled', async () => {
    reset({ 'slow-ok': 6, 'before-failure': 3, 'late-ok': 9 });
    const store = testStore();
    const result = await createHandler(FanOut, { store })({ executionId: `f1${RUN}`, workflow: 'risky', input: null });

    // Branch 3 failed first in time, but branch 2 comes first by index.
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { message: 'branch 2 failed', finishedBeforeThrow: ['before-failure', 'late-ok', 'slow-ok'] },
    });
    const journal = await store.loadJournal({ service: 'fan-out', executionId: `f1${RUN}` });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.status}`)).toEqual([
      '1 parallel FAILED',
      '1.1.1 step SUCCEEDED',
      '1.2.1 step SUCCEEDED',
      '1.4.1 step SUCCEEDED',
    ]);
  });

  it('replays finished branches without running them again', async () => {
    reset();
    const store = testStore();
    const clock = new ManualClock();
    const { events, observer } = recorder();
    const handler = createHandler(FanOut, { store, now: clock.now, observer });

    const first = await handler({ executionId: `r1${RUN}`, workflow: 'thenSleep', input: null }, fiveSecondsLeft);
    expect(first).toMatchObject({ status: 'SUSPENDED' });
    expect(finished).toEqual(['a', 'b', 'c']);

    events.length = 0;
    clock.advance(HOUR_MS);
    const resumed = await handler({ executionId: `r1${RUN}` }, fiveSecondsLeft);

    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: ['A', 'B', 'C'] });
    expect(finished).toEqual(['a', 'b', 'c']);
    const replayed = events.filter((e) => e.kind !== 'sleep');
    expect(replayed.map((e) => `${e.position} ${e.outcome}`).sort()).toEqual([
      '1 replayed',
      '1.1.1 replayed',
      '1.2.1 replayed',
      '1.3.1 replayed',
    ]);
  });

  it('suspends on a branch that sleeps long while the other branches record their steps, then finishes', async () => {
    reset({ busy: 5 });
    const store = testStore();
    const clock = new ManualClock();
    const startedAt = clock.now();
    const key = { service: 'fan-out', executionId: `s1${RUN}` };
    const handler = createHandler(FanOut, { store, now: clock.now });

    const first = await handler({ executionId: `s1${RUN}`, workflow: 'branchSleeps', input: null }, fiveSecondsLeft);

    expect(first).toEqual({ status: 'SUSPENDED', executionId: `s1${RUN}`, resumeAt: startedAt + HOUR_MS });
    expect([...finished].sort()).toEqual(['busy', 'quick', 'sleeper']);
    const suspended = await store.loadJournal(key);
    // The parallel's marker is written as it starts, so the replay check sees it while it is under way.
    expect(suspended.map((r) => `${r.position} ${r.kind} ${r.name}`)).toEqual([
      '1 parallel mixed',
      '1.1.1 step work',
      '1.1.2 sleep nap',
      '1.2.1 step work',
      '1.3.1 step work',
    ]);

    clock.advance(HOUR_MS);
    const resumed = await handler({ executionId: `s1${RUN}` }, fiveSecondsLeft);

    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: `s1${RUN}`,
      output: [['SLEEPER', 'SLEEPER-AFTER'], ['BUSY'], ['QUICK']],
    });
    expect([...finished].sort()).toEqual(['busy', 'quick', 'sleeper', 'sleeper-after']);
    const final = await store.loadJournal(key);
    expect(final.map((r) => `${r.position} ${r.kind}`)).toEqual([
      '1 parallel',
      '1.1.1 step',
      '1.1.2 sleep',
      '1.1.3 step',
      '1.2.1 step',
      '1.3.1 step',
    ]);
  });

  it('nests a parallel inside a map', async () => {
    reset({ 'o1-x': 4, 'o2-y': 2 });
    const store = testStore();
    const result = await createHandler(FanOut, { store })({ executionId: `n1${RUN}`, workflow: 'nested', input: null });

    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: [
        ['O1-X', 'O1-Y'],
        ['O2-X', 'O2-Y'],
      ],
    });
    const journal = await store.loadJournal({ service: 'fan-out', executionId: `n1${RUN}` });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.name}`)).toEqual([
      '1 map orders',
      '1.1.1 parallel lines',
      '1.1.1.1.1 step work',
      '1.1.1.2.1 step work',
      '1.2.1 parallel lines',
      '1.2.1.1.1 step work',
      '1.2.1.2.1 step work',
    ]);
  });
});

describe('durable calls inside step bodies', () => {
  let innerRuns = 0;

  @DurableService({ name: 'steps-in-steps' })
  class StepsInSteps {
    ctx: DurableContext | undefined;

    @Workflow()
    async inline(ctx: DurableContext) {
      try {
        await ctx.step('inline', async () => ctx.now());
        return 'unreachable';
      } catch (error) {
        return { isMisuse: error instanceof ContextMisuseError, message: (error as Error).message };
      }
    }

    @Workflow()
    async captured(ctx: DurableContext) {
      this.ctx = ctx;
      try {
        await this.usesContext();
        return 'unreachable';
      } catch (error) {
        return { isMisuse: error instanceof ContextMisuseError, message: (error as Error).message };
      }
    }

    @Workflow()
    async composed(ctx: DurableContext) {
      const outer = await this.outer('order-1');
      await ctx.sleep('later', { hours: 1 });
      return outer;
    }

    @Step()
    async usesContext(): Promise<string> {
      return this.ctx!.uuid();
    }

    @Step()
    async outer(id: string): Promise<string> {
      return `outer(${await this.inner(id)})`;
    }

    @Step()
    async inner(id: string): Promise<string> {
      innerRuns += 1;
      return `inner ${id}`;
    }
  }

  it('refuses ctx calls inside an inline step body with ContextMisuseError', async () => {
    const store = testStore();
    const result = await createHandler(StepsInSteps, { store })({
      executionId: `c1${RUN}`,
      workflow: 'inline',
      input: null,
    });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { isMisuse: true } });
    expect((result as { output: { message: string } }).output.message).toContain(
      "ctx.now() was called inside the body of step 'inline'",
    );
    expect(await store.loadJournal({ service: 'steps-in-steps', executionId: `c1${RUN}` })).toMatchObject([
      { position: '1', kind: 'step', name: 'inline', status: 'FAILED', attempt: 1 },
    ]);
  });

  it('refuses a context captured by a @Step method with ContextMisuseError', async () => {
    const store = testStore();
    const result = await createHandler(StepsInSteps, { store })({
      executionId: `c2${RUN}`,
      workflow: 'captured',
      input: null,
    });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { isMisuse: true } });
    expect((result as { output: { message: string } }).output.message).toContain(
      "ctx.uuid() was called inside the body of step 'usesContext'",
    );
  });

  it('runs a @Step called from another step body as part of it, without a record of its own', async () => {
    innerRuns = 0;
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(StepsInSteps, { store, now: clock.now });

    const first = await handler({ executionId: `c3${RUN}`, workflow: 'composed', input: null }, fiveSecondsLeft);
    expect(first).toMatchObject({ status: 'SUSPENDED' });
    clock.advance(HOUR_MS);
    const resumed = await handler({ executionId: `c3${RUN}` }, fiveSecondsLeft);

    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: 'outer(inner order-1)' });
    expect(innerRuns).toBe(1);
    const journal = await store.loadJournal({ service: 'steps-in-steps', executionId: `c3${RUN}` });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.name}`)).toEqual(['1 step outer', '2 sleep later']);
  });
});
