import { beforeEach, describe, expect, it } from 'vitest';
import {
  CallbackFailedError,
  CallbackTimeoutError,
  ConfigurationError,
  type DurableContext,
  DurableService,
  JournalFormatError,
  MemoryStore,
  NonRetryableError,
  Step,
  Workflow,
} from '../index.js';
import { CallbackNotPendingError, DurableTestRunner, RecordingLogger, rejectionOf } from './index.js';

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5, 9, 0, 0);

/** What the steps below did, in order: the side effects a test counts. */
let sideEffects: string[] = [];
/** Tokens the submitters of callbacks were handed, as a real submitter would mail them. */
let submittedTokens: string[] = [];
/** Attempts of `flaky` that fail before one succeeds. */
let flakyFailures = 0;

beforeEach(() => {
  sideEffects = [];
  submittedTokens = [];
  flakyFailures = 0;
});

interface Order {
  orderId: string;
  amount: number;
}

@DurableService({ name: 'kit-orders' })
class Orders {
  @Workflow()
  async place(ctx: DurableContext, order: Order) {
    const receipt = await this.charge(order.orderId, order.amount);
    ctx.logger.info('charged', { orderId: order.orderId });
    await ctx.sleep('settle', { days: 3 });
    const shippedAt = await ctx.now();
    await this.ship(order.orderId);
    return { receipt, shippedAt };
  }

  @Workflow()
  async approve(ctx: DurableContext, order: Order) {
    try {
      const decision = await ctx.waitForCallback<{ approved: boolean }>(
        'approval',
        (token) => {
          submittedTokens.push(token);
        },
        { timeout: { days: 7 } },
      );
      return decision.approved ? this.charge(order.orderId, order.amount) : 'declined';
    } catch (error) {
      if (error instanceof CallbackFailedError) return `rejected: ${error.reported.message}`;
      throw error;
    }
  }

  @Workflow()
  async retry(_ctx: DurableContext, order: Order) {
    return this.flaky(order.orderId);
  }

  @Workflow()
  async refuse(_ctx: DurableContext, order: Order) {
    return this.validate(order.amount);
  }

  @Step()
  async charge(orderId: string, amount: number): Promise<string> {
    sideEffects.push(`charge ${orderId}`);
    return `receipt ${orderId} ${amount}`;
  }

  @Step()
  async ship(orderId: string): Promise<void> {
    sideEffects.push(`ship ${orderId}`);
  }

  @Step({ retry: { maxAttempts: 5, initialDelayMs: 60_000, backoffRate: 2, maxDelayMs: 600_000, jitter: 'none' } })
  async flaky(orderId: string): Promise<string> {
    sideEffects.push(`flaky ${orderId}`);
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error('the payment provider is down');
    }
    return `done ${orderId}`;
  }

  @Step()
  async validate(amount: number): Promise<number> {
    if (amount <= 0) throw new NonRetryableError(`an amount of ${amount} cannot be charged`);
    return amount;
  }
}

@DurableService({ name: 'kit-stock' })
class Stock {
  @Workflow()
  async reserve(ctx: DurableContext, input: { sku: string }) {
    await ctx.sleep('restock', { hours: 1 });
    const picker = await ctx.waitForCallback<string>('picked', () => {});
    return { sku: input.sku, picker };
  }
}

@DurableService({ name: 'kit-shop' })
class Shop {
  @Workflow()
  async checkout(ctx: DurableContext, input: { sku: string }) {
    const reservation = await ctx.invoke<{ sku: string }, { sku: string; picker: string }>(
      { service: 'kit-stock', workflow: 'reserve' },
      input,
    );
    return `reserved ${reservation.sku} by ${reservation.picker}`;
  }
}

function newRunner(): DurableTestRunner {
  return new DurableTestRunner({ services: [Orders, Stock, Shop], startAt: START });
}

describe('DurableTestRunner: time', () => {
  it('runs a workflow that sleeps for days to its end, moving only its own clock', async () => {
    const runner = newRunner();
    const execution = await runner.run(Orders, 'place', { orderId: 'o-1', amount: 20 }, { id: 'order-1' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.output).toEqual({ receipt: 'receipt o-1 20', shippedAt: START + 3 * DAY_MS });
    expect(runner.now()).toBe(START + 3 * DAY_MS);
    expect(execution.invocations).toBe(2);
    expect(execution.step('charge')).toMatchObject({ status: 'SUCCEEDED', attempts: 1, args: ['o-1', 20] });
    expect(execution.operations('settle')).toEqual([
      expect.objectContaining({ kind: 'sleep', position: '2', wakeAt: START + 3 * DAY_MS }),
    ]);
    expect(sideEffects).toEqual(['charge o-1', 'ship o-1']);
  });

  it('keeps a clock per runner: runners in parallel never move each other, nor the real clock', async () => {
    const sleeper = newRunner();
    const bystander = newRunner();
    const realBefore = Date.now();
    await Promise.all([
      sleeper.run(Orders, 'place', { orderId: 'o-14', amount: 1 }),
      bystander.run(Orders, 'refuse', { orderId: 'o-15', amount: 1 }),
    ]);
    expect(sleeper.now()).toBe(START + 3 * DAY_MS);
    expect(bystander.now()).toBe(START);
    expect(Date.now() - realBefore).toBeLessThan(DAY_MS);
  });

  it("stops at the first suspension with { until: 'suspended' }, and goes on after advance and resume", async () => {
    const runner = newRunner();
    const sleeping = await runner.run(Orders, 'place', { orderId: 'o-2', amount: 5 }, { until: 'suspended' });

    expect(sleeping).toMatchObject({ status: 'SUSPENDED', resumeAt: START + 3 * DAY_MS });
    expect(sleeping.journal.map((entry) => entry.name)).toEqual(['charge', 'settle']);
    expect(runner.now()).toBe(START);

    runner.advance({ days: 1 });
    const stillSleeping = await runner.resume(sleeping.id, { until: 'suspended' });
    expect(stillSleeping.status).toBe('SUSPENDED');
    expect(sideEffects).toEqual(['charge o-2']);

    runner.advance({ days: 2 });
    const done = await runner.resume(sleeping.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(runner.now()).toBe(START + 3 * DAY_MS);
  });

  it('skips the retry delays of a failing step, and counts its attempts', async () => {
    flakyFailures = 2;
    const runner = newRunner();
    const execution = await runner.run(Orders, 'retry', { orderId: 'o-3', amount: 1 });

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.step('flaky')?.attempts).toBe(3);
    // 60 s after the first failure, 120 s after the second: backoff without jitter.
    expect(runner.now()).toBe(START + 180_000);
    expect(sideEffects).toEqual(['flaky o-3', 'flaky o-3', 'flaky o-3']);
  });

  it('returns a failed execution with its error, of its own class', async () => {
    const runner = newRunner();
    const execution = await runner.run(Orders, 'refuse', { orderId: 'o-4', amount: 0 });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBeInstanceOf(NonRetryableError);
    expect((execution.error as Error).message).toBe('an amount of 0 cannot be charged');
    expect(execution.step('validate')).toMatchObject({ status: 'FAILED', attempts: 1 });
  });
});

describe('DurableTestRunner: callbacks', () => {
  it('stops where a workflow waits for a callback, and completes it by name', async () => {
    const runner = newRunner();
    const waiting = await runner.run(Orders, 'approve', { orderId: 'o-5', amount: 30 });

    expect(waiting.status).toBe('SUSPENDED');
    expect(waiting.pendingCallbacks).toEqual([
      expect.objectContaining({ name: 'approval', position: '1', executionId: waiting.id }),
    ]);
    // The token the submitter got is the one listed: a test needs no submitter of its own to find it.
    expect(waiting.callback('approval')?.token).toBe(submittedTokens[0]);
    // Never skipped into the callback's timeout unasked.
    expect(runner.now()).toBe(START);

    const done = await runner.completeCallback('approval', { approved: true });
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: 'receipt o-5 30', pendingCallbacks: [] });
    expect(done.at(1)).toMatchObject({ kind: 'callback', status: 'SUCCEEDED', result: { approved: true } });
  });

  it('completes a callback by the token its submitter was handed', async () => {
    const runner = newRunner();
    await runner.run(Orders, 'approve', { orderId: 'o-6', amount: 1 });
    const done = await runner.completeCallback(submittedTokens[0]!, { approved: false });
    expect(done.output).toBe('declined');
  });

  it('fails a callback: the workflow catches CallbackFailedError with what the completer reported', async () => {
    const runner = newRunner();
    await runner.run(Orders, 'approve', { orderId: 'o-7', amount: 1 });
    const done = await runner.failCallback('approval', new Error('the manager said no'));
    expect(done.output).toBe('rejected: the manager said no');
  });

  it('times a callback out only when the test moves the clock past its timeout', async () => {
    const runner = newRunner();
    const waiting = await runner.run(Orders, 'approve', { orderId: 'o-8', amount: 1 });
    expect(waiting.resumeAt).toBe(START + 7 * DAY_MS);

    runner.advance({ days: 7 });
    const timedOut = await runner.resume(waiting.id);
    expect(timedOut.status).toBe('FAILED');
    expect(timedOut.error).toBeInstanceOf(CallbackTimeoutError);
  });

  it('says which callbacks are pending when none has the name asked for, and which executions when several do', async () => {
    const runner = newRunner();
    await runner.run(Orders, 'approve', { orderId: 'o-9', amount: 1 }, { id: 'first' });
    const unknown = await rejectionOf(runner.completeCallback('approved', true));
    expect(unknown).toBeInstanceOf(CallbackNotPendingError);
    expect((unknown as Error).message).toContain("pending: 'approval' (first)");

    await runner.run(Orders, 'approve', { orderId: 'o-10', amount: 1 }, { id: 'second' });
    const ambiguous = await rejectionOf(runner.completeCallback('approval', { approved: true }));
    expect((ambiguous as Error).message).toContain("several executions wait for it ('first' at 1, 'second' at 1)");

    const done = await runner.completeCallback('approval', { approved: true }, { id: 'second' });
    expect(done).toMatchObject({ id: 'second', status: 'SUCCEEDED' });
  });
});

describe('DurableTestRunner: invokes between services', () => {
  it("runs a child of another service, lists the child's callback on the parent, and finishes both", async () => {
    const runner = newRunner();
    const waiting = await runner.run(Shop, 'checkout', { sku: 'sku-1' }, { id: 'cart-1' });

    expect(waiting.error).toBeUndefined();
    expect(waiting.status).toBe('SUSPENDED');
    // The child slept its hour on the runner's clock, then waited for its callback.
    expect(runner.now()).toBe(START + 3_600_000);
    expect(waiting.pendingCallbacks).toEqual([
      expect.objectContaining({ name: 'picked', service: 'kit-stock', executionId: 'cart-1/1' }),
    ]);
    expect(waiting.child('kit-stock.reserve')?.journal.map((entry) => entry.name)).toEqual(['restock', 'picked']);

    const done = await runner.completeCallback('picked', 'ada');
    expect(done.output).toBe('reserved sku-1 by ada');
    expect(done.child(1)).toMatchObject({ status: 'SUCCEEDED', output: { sku: 'sku-1', picker: 'ada' } });
    expect(done.at(1)).toMatchObject({ kind: 'invoke', status: 'SUCCEEDED', input: { sku: 'sku-1' } });
    expect((await runner.execution('cart-1/1')).status).toBe('SUCCEEDED');
  });
});

@DurableService({ name: 'kit-orders' })
class OrdersRenamedCharge {
  @Workflow()
  async place(ctx: DurableContext, order: Order) {
    await this.chargeCard(order.orderId, order.amount);
    await ctx.sleep('settle', { days: 3 });
    return 'placed';
  }

  @Step()
  async chargeCard(orderId: string, amount: number): Promise<string> {
    return `receipt ${orderId} ${amount}`;
  }
}

describe('DurableTestRunner: replay', () => {
  it('replays an exported journal against the code: the same code agrees, a renamed step diverges', async () => {
    const runner = newRunner();
    const execution = await runner.run(Orders, 'place', { orderId: 'o-11', amount: 3 });
    const file = JSON.stringify(execution.export(), null, 2);

    const same = await runner.replay(Orders, file);
    expect(same).toMatchObject({ compatible: true, replayed: 4 });

    const renamed = await runner.replay(OrdersRenamedCharge, JSON.parse(file));
    expect(renamed).toMatchObject({ compatible: false, position: '1' });
    expect(renamed.compatible === false && renamed.message).toBe(
      `recorded step 'charge' (["o-11",3]), code now calls step 'chargeCard'`,
    );
  });

  it('refuses text that is not an exported journal, naming what is wrong', async () => {
    const runner = newRunner();
    expect(await rejectionOf(runner.replay(Orders, '{ "format": '))).toBeInstanceOf(JournalFormatError);
    const wrong = await rejectionOf(runner.replay(Orders, { format: 'durable-execution', version: 2 }));
    expect((wrong as Error).message).toContain('version');
  });
});

describe('DurableTestRunner: set-up', () => {
  it('refuses a service it was not given, and a method that is not a workflow', async () => {
    const runner = new DurableTestRunner({ services: [Shop] });
    const notGiven = await rejectionOf(runner.run(Orders, 'place', { orderId: 'o', amount: 1 }));
    expect(notGiven).toBeInstanceOf(ConfigurationError);
    expect((notGiven as Error).message).toContain('add it to `services`');

    const ordersRunner = newRunner();
    const notWorkflow = await rejectionOf(ordersRunner.run(Orders, 'charge', 'o-1' as never));
    expect((notWorkflow as Error).message).toContain('Orders.charge is not a @Workflow');
  });

  it('keeps the journals in the store it is given', async () => {
    const store = new MemoryStore();
    const runner = new DurableTestRunner({ services: [Orders], store, startAt: new Date(START) });
    await runner.run(Orders, 'place', { orderId: 'o-13', amount: 2 }, { id: 'kept' });
    expect(await store.getExecution({ service: 'kit-orders', executionId: 'kept' })).toMatchObject({
      status: 'SUCCEEDED',
      createdAt: START,
    });
  });

  it('keeps what workflows log in the logger it is given, not on the console', async () => {
    const logger = new RecordingLogger();
    const runner = new DurableTestRunner({ services: [Orders], logger });
    await runner.run(Orders, 'place', { orderId: 'o-12', amount: 1 });
    // Once, though the workflow ran twice (around its sleep): the replay does not log again.
    expect(logger.messages('info')).toEqual(['charged']);
    expect(logger.entries[0]?.fields).toMatchObject({ orderId: 'o-12', executionId: 'place-1' });
  });
});
