import { type CheckpointStore, type DurableContext, DurableService, MemoryStore, Step, Workflow } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { describe, expect, it } from 'vitest';

/**
 * The write counts docs/context-api.md gives for each `ctx` call, measured: each workflow below makes one kind of
 * call, and a store that counts `writeOperation` says how many checkpoints it took. (The engine's own
 * packages/core/src/engine/cost.test.ts checks the requests around them: one claim, one journal load.)
 */

/** Calls of `flaky` so far, kept outside the class: the handler does not keep one instance across invocations. */
let flakyCalls = 0;

@DurableService({ name: 'operation-costs' })
class OperationCosts {
  @Workflow() async nothing(_ctx: DurableContext) {}
  @Workflow() async atLeastOnceStep(_ctx: DurableContext) {
    await this.plain();
  }
  @Workflow() async atMostOnceStep(_ctx: DurableContext) {
    await this.once();
  }
  @Workflow() async inlineStep(ctx: DurableContext) {
    await ctx.step('inline', () => 1);
  }
  @Workflow() async retriedStep(_ctx: DurableContext) {
    await this.flaky();
  }
  @Workflow() async sleep(ctx: DurableContext) {
    await ctx.sleep('nap', { days: 2 });
  }
  @Workflow() async values(ctx: DurableContext) {
    await ctx.now();
    await ctx.random();
    await ctx.uuid();
  }
  @Workflow() async parallelOfNothing(ctx: DurableContext) {
    await ctx.parallel('pair', [async () => 1, async () => 2]);
  }
  @Workflow() async mapOfSteps(ctx: DurableContext) {
    await ctx.map('items', [1, 2, 3], async () => this.plain());
  }
  @Workflow() async callback(ctx: DurableContext) {
    return ctx.waitForCallback('answer', () => {}, { timeout: { days: 1 } });
  }

  @Step() async plain() {
    return 1;
  }
  @Step({ semantics: 'at-most-once' }) async once() {
    return 1;
  }
  // Fails its first attempt; the runner's handlers suspend on every wait, so the retry is recorded.
  @Step({ retry: { maxAttempts: 2 } }) async flaky() {
    if (flakyCalls++ === 0) throw new Error('first attempt fails');
    return 1;
  }
}

/** A MemoryStore that counts the checkpoints written to it. */
function countingStore(): { store: CheckpointStore; writes: () => number } {
  const inner = new MemoryStore();
  let writes = 0;
  const store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Bound to the store itself: its private fields are not reachable through the proxy.
      const method = value.bind(target);
      if (property !== 'writeOperation') return method;
      return (...args: unknown[]) => {
        writes += 1;
        return method(...args);
      };
    },
  });
  return { store, writes: () => writes };
}

describe('what each ctx call writes, as docs/context-api.md says', () => {
  it.each([
    ['nothing', 0],
    ['atLeastOnceStep', 1],
    ['atMostOnceStep', 2],
    ['inlineStep', 1],
    ['retriedStep', 2], // RETRYING, then the outcome
    ['sleep', 1],
    ['values', 3],
    ['parallelOfNothing', 2],
    ['mapOfSteps', 2 + 3],
  ] as const)('%s: %i writes', async (workflow, expected) => {
    flakyCalls = 0;
    const { store, writes } = countingStore();
    const runner = new DurableTestRunner({ services: [OperationCosts], store });
    const done = await runner.run(OperationCosts, workflow, undefined);
    expect(done.status).toBe('SUCCEEDED');
    expect(writes()).toBe(expected);
  });

  it('a callback: one write to wait, one to complete it, none to replay it', async () => {
    const { store, writes } = countingStore();
    const runner = new DurableTestRunner({ services: [OperationCosts], store });
    await runner.run(OperationCosts, 'callback', undefined);
    expect(writes()).toBe(1);
    const done = await runner.completeCallback('answer', 42);
    expect(done.output).toBe(42);
    expect(writes()).toBe(2);
  });

  it('a callback that times out: one more write, by the invocation that finds it passed', async () => {
    const { store, writes } = countingStore();
    const runner = new DurableTestRunner({ services: [OperationCosts], store });
    const waiting = await runner.run(OperationCosts, 'callback', undefined);
    runner.advance({ days: 1 });
    const timedOut = await runner.resume(waiting.id);
    expect(timedOut.status).toBe('FAILED');
    expect(writes()).toBe(2);
  });
});
