import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createHandler,
  type DurableContext,
  type DurableError,
  DurableService,
  InProcessInvoker,
  NonRetryableError,
  Step,
  Workflow,
} from '../index.js';
import { hashSerialized } from '../journal/hash.js';
import { serialize } from '../serde/serialize.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;
const HOUR_MS = 3_600_000;
const INVENTORY = { service: 'inventory', workflow: 'reserve' };

/** What the shop orders from the inventory. */
interface Order {
  sku: string;
  quantity: number;
  /** Order more first, and wait an hour for it (or `restockMs`). */
  restockFirst?: boolean;
  restockMs?: number;
  /** Ask a supplier who never answers: the child fails with StepTimeoutError. */
  slow?: boolean;
}

/** Side effects of the child's steps, in order. */
const childRan: string[] = [];

@DurableService({ name: 'inventory' })
class Inventory {
  @Workflow()
  async reserve(ctx: DurableContext, input: Order) {
    if (input.slow === true) await this.askSupplier(input.sku);
    if (input.restockFirst === true || input.restockMs !== undefined) {
      await this.order(input.sku);
      await ctx.sleep('restock', { ms: input.restockMs ?? HOUR_MS });
    }
    return this.hold(input.sku, input.quantity);
  }

  @Step()
  async order(sku: string): Promise<void> {
    childRan.push(`order ${sku}`);
  }

  /** Never answers: with one attempt, the child fails with StepTimeoutError (an error of a retryable kind). */
  @Step({ timeoutMs: 2, retry: { maxAttempts: 1 } })
  async askSupplier(sku: string): Promise<void> {
    childRan.push(`ask ${sku}`);
    return new Promise<void>(() => {});
  }

  @Step()
  async hold(sku: string, quantity: number): Promise<{ sku: string; held: number }> {
    childRan.push(`hold ${sku}`);
    if (quantity <= 0) throw new NonRetryableError(`cannot hold ${quantity} of ${sku}`);
    return { sku, held: quantity };
  }
}

@DurableService({ name: 'shop' })
class Shop {
  @Workflow()
  async checkout(ctx: DurableContext, input: Order) {
    try {
      const reservation = await ctx.invoke<Order, { sku: string; held: number }>(INVENTORY, input);
      await ctx.sleep('settle', { minutes: 5 });
      return { reservation };
    } catch (error) {
      return { failed: (error as Error).message, code: (error as DurableError).code };
    }
  }
}

function setUp() {
  childRan.length = 0;
  const store = testStore();
  const clock = new ManualClock();
  const invoker = new InProcessInvoker({
    services: [Shop, Inventory],
    store,
    now: clock.now,
    // The parent runs without a Lambda context here: waits over a second suspend, so the clock decides when they end.
    maxInProcessWaitMs: 1_000,
  });
  return { store, clock, shop: invoker.handler('shop') };
}

describe('InProcessInvoker', () => {
  it('runs the child as execution <parent id>/<position> and records its output in the parent', async () => {
    const { store, clock, shop } = setUp();
    const parentId = `order-1${RUN}`;

    const first = await shop({ executionId: parentId, input: { sku: 'apple', quantity: 3 } });
    expect(first).toMatchObject({ status: 'SUSPENDED' });

    expect(await store.getExecution({ service: 'inventory', executionId: `${parentId}/1` })).toMatchObject({
      workflow: 'reserve',
      status: 'SUCCEEDED',
    });
    const journal = await store.loadJournal({ service: 'shop', executionId: parentId });
    expect(journal[0]).toMatchObject({ position: '1', kind: 'invoke', name: 'inventory.reserve', status: 'SUCCEEDED' });
    expect(journal[0]!.result).toContain('apple');

    // Replaying the parent answers the invoke from its journal: the child does not run again.
    clock.advance(5 * 60_000);
    const resumed = await shop({ executionId: parentId });
    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: parentId,
      output: { reservation: { sku: 'apple', held: 3 } },
    });
    expect(childRan).toEqual(['hold apple']);
    expect((await store.getExecution({ service: 'inventory', executionId: `${parentId}/1` }))?.invocations).toBe(1);
  });

  it('rethrows a child failure in the parent, which records it and can catch it', async () => {
    const { store, shop } = setUp();
    const parentId = `order-2${RUN}`;

    const result = await shop({ executionId: parentId, input: { sku: 'pear', quantity: 0 } });

    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: parentId,
      output: { failed: 'cannot hold 0 of pear', code: 'NON_RETRYABLE' },
    });
    expect(childRan).toEqual(['hold pear']);
    expect(await store.getExecution({ service: 'inventory', executionId: `${parentId}/1` })).toMatchObject({
      status: 'FAILED',
    });
    const journal = await store.loadJournal({ service: 'shop', executionId: parentId });
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ kind: 'invoke', status: 'FAILED' });
    expect(journal[0]!.error).toContain('cannot hold 0 of pear');
  });

  it('records a child that failed with an error of a retryable kind as a failure, not a transient fault', async () => {
    const { store, shop } = setUp();
    const parentId = `order-5${RUN}`;

    const result = await shop({ executionId: parentId, input: { sku: 'plum', quantity: 1, slow: true } });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { code: 'STEP_TIMEOUT' } });
    expect(await store.loadJournal({ service: 'shop', executionId: parentId })).toMatchObject([
      { position: '1', kind: 'invoke', status: 'FAILED' },
    ]);
    expect(childRan).toEqual(['ask plum']);
  });

  it('leaves a busy child unrecorded and runs it on a later invocation', async () => {
    const { store, clock, shop } = setUp();
    const parentId = `order-6${RUN}`;
    const input = { sku: 'lime', quantity: 4 };
    const childKey = { service: 'inventory', executionId: `${parentId}/1` };
    // Another invocation holds the child's lease for the next minute.
    const serialized = serialize(input, 'the child input');
    await store.claim({
      key: childKey,
      workflow: 'reserve',
      input: { serialized, hash: hashSerialized(serialized) },
      owner: 'someone-else',
      now: clock.now(),
      leaseExpiresAt: clock.now() + 60_000,
      timeoutAt: clock.now() + 30 * 24 * HOUR_MS,
      expiresAt: Date.now() + 60 * 24 * HOUR_MS,
    });

    await expect(shop({ executionId: parentId, input })).rejects.toMatchObject({ code: 'EXECUTION_BUSY' });
    expect(await store.loadJournal({ service: 'shop', executionId: parentId })).toEqual([]);
    expect(childRan).toEqual([]);

    // Past the child's lease.
    clock.advance(HOUR_MS);
    const retried = await shop({ executionId: parentId });
    expect(retried).toMatchObject({ status: 'SUSPENDED' });
    expect(childRan).toEqual(['hold lime']);
    expect(await store.loadJournal({ service: 'shop', executionId: parentId })).toMatchObject([
      { position: '1', kind: 'invoke', status: 'SUCCEEDED' },
      { position: '2', kind: 'sleep' },
    ]);
  });

  it('suspends the parent while the child sleeps, and finishes both once the clock has passed', async () => {
    const { store, clock, shop } = setUp();
    const parentId = `order-3${RUN}`;
    const childKey = { service: 'inventory', executionId: `${parentId}/1` };
    const wakeAt = clock.now() + HOUR_MS;

    const first = await shop({ executionId: parentId, input: { sku: 'fig', quantity: 2, restockFirst: true } });

    expect(first).toEqual({ status: 'SUSPENDED', executionId: parentId, resumeAt: wakeAt });
    expect(await store.getExecution(childKey)).toMatchObject({ status: 'SUSPENDED', resumeAt: wakeAt });
    expect(await store.getExecution({ service: 'shop', executionId: parentId })).toMatchObject({
      status: 'SUSPENDED',
      resumeAt: wakeAt,
    });
    expect(childRan).toEqual(['order fig']);

    clock.advance(HOUR_MS);
    const afterChild = await shop({ executionId: parentId });
    // The parent now waits in its own 5-minute sleep; the child has finished.
    expect(afterChild).toMatchObject({ status: 'SUSPENDED' });
    expect(await store.getExecution(childKey)).toMatchObject({ status: 'SUCCEEDED' });
    expect(childRan).toEqual(['order fig', 'hold fig']);

    clock.advance(5 * 60_000);
    const done = await shop({ executionId: parentId });
    expect(done).toEqual({
      status: 'SUCCEEDED',
      executionId: parentId,
      output: { reservation: { sku: 'fig', held: 2 } },
    });
    expect(childRan).toEqual(['order fig', 'hold fig']);
    const journal = await store.loadJournal({ service: 'shop', executionId: parentId });
    expect(journal.map((r) => `${r.position} ${r.kind} ${r.status}`)).toEqual([
      '1 invoke SUCCEEDED',
      '2 sleep STARTED',
    ]);
  });

  it("suspends a child whose sleep is longer than the parent invocation's time left", async () => {
    childRan.length = 0;
    const store = testStore();
    const clock = new ManualClock();
    // No maxInProcessWaitMs: only the parent's Lambda deadline says the child cannot wait 400 ms in-process.
    const shop = new InProcessInvoker({ services: [Shop, Inventory], store, now: clock.now }).handler('shop');
    const parentId = `order-7${RUN}`;
    const childKey = { service: 'inventory', executionId: `${parentId}/1` };

    const first = await shop(
      { executionId: parentId, input: { sku: 'date', quantity: 1, restockMs: 400 } },
      { getRemainingTimeInMillis: () => 1_200 },
    );

    expect(first).toEqual({ status: 'SUSPENDED', executionId: parentId, resumeAt: clock.now() + 400 });
    expect(await store.getExecution(childKey)).toMatchObject({ status: 'SUSPENDED' });
    expect(childRan).toEqual(['order date']);
  });

  it('fails ctx.invoke with ConfigurationError when the handler has no invoker', async () => {
    const store = testStore();
    const parentId = `order-4${RUN}`;
    const shop = createHandler(Shop, { store });

    const result = await shop({ executionId: parentId, input: { sku: 'kiwi', quantity: 1 } });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { code: 'CONFIGURATION' } });
    expect((result as { output: { failed: string } }).output.failed).toContain('needs an invoker');
    expect(await store.getExecution({ service: 'inventory', executionId: `${parentId}/1` })).toBeUndefined();
    expect(await store.loadJournal({ service: 'shop', executionId: parentId })).toEqual([]);
  });

  it('refuses a service it does not run with ConfigurationError', () => {
    const invoker = new InProcessInvoker({ services: [Shop], store: testStore() });
    expect(() => invoker.handler('inventory')).toThrow(ConfigurationError);
  });

  it('leaves the parent resumable when its child is a service it does not run (a local run that lacks it)', async () => {
    const store = testStore();
    const shop = new InProcessInvoker({ services: [Shop], store }).handler('shop');
    const parentId = `order-8${RUN}`;

    const thrown = await shop({ executionId: parentId, input: { sku: 'yuzu', quantity: 1 } }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(thrown).toMatchObject({
      code: 'INVOKE_UNAVAILABLE',
      retryable: true,
      cause: expect.any(ConfigurationError),
    });
    expect((thrown as Error).message).toMatch(/has no service 'inventory'; it has: shop\. Nothing was recorded/);
    expect(await store.loadJournal({ service: 'shop', executionId: parentId })).toEqual([]);
  });
});
