import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler, type DurableContext, DurableService, Step, Workflow } from '../index.js';
import { CountingStore } from '../testing/counting-store.js';
import { clockStartingNow, lambdaContextWith, RecordingLogger, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

/**
 * The store requests an invocation costs: one write per step, one
 * journal query per invocation however long the journal, no read per step.
 */

let stepRuns = 0;

beforeEach(() => {
  stepRuns = 0;
});

@DurableService({ name: 'cost-batch' })
class Batch {
  @Workflow()
  async process(ctx: DurableContext, input: { steps: number; pauseAtEnd: boolean }) {
    let total = 0;
    for (let i = 0; i < input.steps; i++) total += await this.item(i);
    if (input.pauseAtEnd) await ctx.sleep('cool-down', { minutes: 1 });
    return total;
  }

  @Step() async item(index: number) {
    stepRuns += 1;
    return index;
  }
}

function setup() {
  const store = new CountingStore(testStore());
  const clock = clockStartingNow();
  const handler = createHandler(Batch, { store, now: clock.now, logger: new RecordingLogger() });
  return { store, clock, handler };
}

const sum = (n: number) => (n * (n - 1)) / 2;

describe.each([1, 10, 100])('an execution of %i steps', (steps) => {
  it('costs one write per step on a fresh run, plus at most 3 other requests', async () => {
    const { store, handler } = setup();

    const result = await handler({ executionId: uniqueId('batch'), input: { steps, pauseAtEnd: false } });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: sum(steps) });
    expect(stepRuns).toBe(steps);
    expect(store.count('writeOperation')).toBe(steps);
    expect(store.total - steps).toBeLessThanOrEqual(3);
    expect(store.reads).toBeLessThanOrEqual(1);
  });

  it('loads the journal once when it resumes, with no read and no write per replayed step', async () => {
    const { store, clock, handler } = setup();
    const executionId = uniqueId('batch');
    const first = await handler({ executionId, input: { steps, pauseAtEnd: true } }, lambdaContextWith(5_000));
    expect(first.status).toBe('SUSPENDED');
    expect(store.count('writeOperation')).toBe(steps + 1); // the steps and the sleep
    store.reset();
    stepRuns = 0;
    clock.advance(2 * 60_000);

    const resumed = await handler({ executionId }, lambdaContextWith(5_000));

    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: sum(steps) });
    expect(stepRuns).toBe(0);
    expect(store.count('loadJournal')).toBe(1);
    expect(store.reads).toBe(1);
    expect(store.count('writeOperation')).toBe(0);
    expect(store.counts()).toEqual({
      claim: 1,
      writeOperation: 0,
      transition: 1,
      requestResume: 0,
      loadJournal: 1,
      getExecution: 0,
      listExecutions: 0,
      findResumable: 0,
      repinExecution: 0,
    });
  });

  it('answers a finished execution with one claim and no journal load', async () => {
    const { store, handler } = setup();
    const event = { executionId: uniqueId('batch'), input: { steps, pauseAtEnd: false } };
    const first = await handler(event);
    store.reset();
    stepRuns = 0;

    const again = await handler(event);

    expect(again).toEqual(first);
    expect(stepRuns).toBe(0);
    expect(store.count('claim')).toBe(1);
    expect(store.count('loadJournal')).toBe(0);
    expect(store.total).toBe(1);
  });
});
