import type { DurableExecutionInvocationInput } from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  completeCallback,
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  InProcessInvoker,
  MemoryStore,
  NonDeterminismError,
  type ServiceClass,
  Step,
  serviceDefinition,
  Workflow,
} from '../index.js';
import { decodeExecutionError, encodeCallbackResult } from '../lambda-durable.js';
import { clockStartingNow, uniqueId } from '../testing/fixtures.js';

/**
 * The same service classes on both backends, asserting what a user sees: outputs, errors and which side effects
 * ran. dynamodb runs on a MemoryStore with a ManualClock (every wait suspends; the driver moves the clock and
 * invokes again); lambda-durable runs under the SDK's LocalDurableTestRunner with real timers.
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/** Side effects of step bodies, in the order they ran. */
const effects: string[] = [];
/** Callback tokens (dynamodb) or callback ids (lambda-durable) by callback name, as the submitters got them. */
const submitted = new Map<string, string>();
beforeEach(() => {
  effects.length = 0;
  submitted.clear();
});

type Outcome = { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED'; error: unknown };

/** One execution, driven the same way on either backend. */
interface Execution {
  /** Resolves once callback `name` is open for completion. */
  callbackOpen(name: string): Promise<void>;
  /** Completes callback `name` with `value` from outside, as a user's system would. */
  complete(name: string, value: unknown): Promise<void>;
  /** Replaces the deployed code: later invocations run `service`. */
  deploy(service: ServiceClass): void;
  /** How the execution ended. */
  outcome(): Promise<Outcome>;
  /** Invocations of the function so far (read after `outcome`). */
  invocations(): number;
}

type BackendName = 'dynamodb' | 'lambda-durable';

function waitingFor(name: string): (ctx: DurableContext) => Promise<unknown> {
  return (ctx) => ctx.waitForCallback(name, (token) => void submitted.set(name, token));
}

/** A second service the first one invokes: registered under {@link CALLEE_ARN} (or run in process, on dynamodb). */
const CALLEE_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:receipts:2';

function startOnDynamoDb(service: ServiceClass, input: unknown, callee?: ServiceClass): Execution {
  const store = new MemoryStore();
  const clock = clockStartingNow();
  const executionId = uniqueId('side-by-side');
  const options = { store, now: clock.now, maxInProcessWaitMs: 0 };
  // The callee runs in this process through the same child-invoke protocol LambdaInvoker carries.
  const invoker = callee === undefined ? undefined : new InProcessInvoker({ ...options, services: [service, callee] });
  let handler =
    invoker === undefined ? createHandler(service, options) : invoker.handler(serviceDefinition(service).name);
  const completed = new Set<string>();
  let invocations = 0;
  const open = () => [...submitted.keys()].some((name) => !completed.has(name));
  // Invokes until the execution ends or waits for a callback; a sleep or retry delay suspends, and the clock moves
  // to its end, as the sweeper would resume it then.
  async function drive(event: object): Promise<Outcome | 'waiting'> {
    try {
      for (;;) {
        // A bound, so a resume that never comes fails the test instead of spinning.
        if (++invocations > 20) throw new Error('no outcome after 20 invocations');
        const answer = await handler({ executionId, ...event });
        if (answer.status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: answer.output };
        if (open()) return 'waiting';
        clock.advance(Math.max(0, (answer.resumeAt ?? clock.now()) - clock.now()));
        event = {};
      }
    } catch (error) {
      return { status: 'FAILED', error };
    }
  }
  let current = drive({ input });
  return {
    async callbackOpen(name) {
      expect(await current).toBe('waiting');
      expect(submitted.has(name)).toBe(true);
    },
    async complete(name, value) {
      await completeCallback(store, submitted.get(name)!, value, { now: clock.now });
      completed.add(name);
      current = drive({});
    },
    deploy(next) {
      handler = createHandler(next, { store, now: clock.now, maxInProcessWaitMs: 0 });
    },
    async outcome() {
      const outcome = await current;
      if (outcome === 'waiting') throw new Error('the execution still waits for a callback');
      return outcome;
    },
    invocations: () => invocations,
  };
}

function startOnLambdaDurable(service: ServiceClass, input: unknown, callee?: ServiceClass): Execution {
  let handler = createHandler(service, { backend: 'lambda-durable' });
  const runner = new LocalDurableTestRunner({
    handlerFunction: (event: DurableExecutionInvocationInput, context) => handler(event, context),
  });
  if (callee !== undefined)
    runner.registerDurableFunction(CALLEE_ARN, createHandler(callee, { backend: 'lambda-durable' }));
  let invocations = 0;
  const running = runner.run({ payload: { input } }).then((result) => {
    invocations = result.getInvocations().length;
    return result;
  });
  return {
    async callbackOpen(name) {
      await runner.getOperation(name).waitForData(WaitingOperationStatus.SUBMITTED);
    },
    async complete(name, value) {
      await runner.getOperation(name).sendCallbackSuccess(encodeCallbackResult(value));
    },
    deploy(next) {
      handler = createHandler(next, { backend: 'lambda-durable' });
    },
    async outcome() {
      const result = await running;
      if (result.getStatus() === 'SUCCEEDED') {
        return { status: 'SUCCEEDED', output: deserialize(JSON.stringify(result.getResult())) };
      }
      return { status: 'FAILED', error: decodeExecutionError(result.getError()) };
    },
    invocations: () => invocations,
  };
}

const START: Record<BackendName, (service: ServiceClass, input?: unknown, callee?: ServiceClass) => Execution> = {
  dynamodb: startOnDynamoDb,
  'lambda-durable': startOnLambdaDurable,
};

// ---- scenarios -------------------------------------------------------------------------------------

const RICH = { at: new Date('2026-03-04T05:06:07.890Z'), counts: new Map([['x', 2n ** 70n]]), total: 12n };

/** An error with own fields, caught by the workflow: its class is the built-in one, its fields survive. */
class Declined extends Error {
  constructor(readonly declineCode: string) {
    super(`card declined (${declineCode})`);
  }
}

@DurableService({ name: 'journeys' })
class Journey {
  @Workflow() async run(ctx: DurableContext, who: string) {
    const greeting = await this.greet(who);
    const before = await ctx.now();
    await ctx.sleep('settle', { seconds: 1 });
    const after = await ctx.now();
    const flaky = await this.flaky(who);
    let caught: unknown;
    try {
      await this.once(who);
    } catch (error) {
      caught = error;
    }
    return { greeting, slept: after - before >= 1_000, flaky, caught, rich: await this.rich() };
  }
  @Step() async greet(who: string) {
    effects.push(`greet ${who}`);
    return `hello ${who}`;
  }
  @Step({ retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } }) async flaky(who: string) {
    effects.push('flaky');
    if (effects.filter((e) => e === 'flaky').length === 1) throw new Error('busy');
    return `flaky ok for ${who}`;
  }
  @Step({ semantics: 'at-most-once' }) async once(_who: string): Promise<string> {
    effects.push('once');
    throw new Declined('expired');
  }
  @Step() async rich() {
    effects.push('rich');
    return RICH;
  }
}

@DurableService({ name: 'fan-outs' })
class FanOut {
  @Workflow() async run(ctx: DurableContext, items: number[]) {
    const doubled = await ctx.map('double', items, async (n, _i, c) => c.step(`double-${n}`, () => n * 2));
    const pair = await ctx.parallel<string>('pair', [async () => 'left', async () => 'right']);
    try {
      await ctx.map('fail', items, async (n, _i, c) =>
        c.step(`check-${n}`, () => {
          effects.push(`check ${n}`);
          if (n > 1) throw new Error(`item ${n} failed`);
          return n;
        }),
      );
      return { doubled, pair, failed: null };
    } catch (error) {
      return { doubled, pair, failed: (error as Error).message };
    }
  }
}

@DurableService({ name: 'approvals' })
class Approval {
  @Workflow() async run(ctx: DurableContext, id: string) {
    await this.notify(id);
    const decision = (await waitingFor('manager')(ctx)) as { by: string; at: Date; budget: bigint };
    return { id, decision, recorded: await this.record(decision.by) };
  }
  @Step() async notify(id: string) {
    effects.push(`notify ${id}`);
  }
  @Step() async record(by: string) {
    effects.push(`record ${by}`);
    return `approved by ${by}`;
  }
}

function ordersWith(reserveName: string, sku: (input: string) => string) {
  @DurableService({ name: 'orders' })
  class Orders {
    @Workflow() async place(ctx: DurableContext, input: string) {
      const step = reserveName === 'reserve' ? this.reserve(sku(input)) : this.reserveStock(sku(input));
      await step;
      await waitingFor('pause')(ctx);
      return this.ship(input);
    }
    @Step() async reserve(item: string) {
      effects.push(`reserve ${item}`);
      return `r-${item}`;
    }
    @Step() async reserveStock(item: string) {
      effects.push(`reserveStock ${item}`);
      return `r-${item}`;
    }
    @Step() async ship(item: string) {
      effects.push(`ship ${item}`);
      return `s-${item}`;
    }
  }
  return Orders;
}

const OrdersA = ordersWith('reserve', (input) => input);
const OrdersRenamed = ordersWith('reserveStock', (input) => input);
const OrdersOtherArgs = ordersWith('reserve', (input) => `${input}-v2`);

// ---- the same assertions on both ------------------------------------------------------------------

@DurableService({ name: 'receipts' })
class Receipts {
  @Workflow() async issue(_ctx: DurableContext, order: { id: string; cents: bigint; fail?: boolean }) {
    return this.write(order.id, order.cents, order.fail === true);
  }
  @Step({ retry: { maxAttempts: 1 } }) async write(id: string, cents: bigint, fail: boolean) {
    effects.push(`receipt ${id}`);
    if (fail) throw new Declined('no-receipt');
    return { id, cents, at: RICH.at };
  }
}

@DurableService({ name: 'checkouts' })
class Checkout {
  @Workflow() async pay(ctx: DurableContext, order: { id: string; fail?: boolean }) {
    await this.charge(order.id);
    const target = { service: 'receipts', workflow: 'issue', functionArn: CALLEE_ARN };
    try {
      return { receipt: await ctx.invoke(target, { id: order.id, cents: 2n ** 63n, fail: order.fail }) };
    } catch (error) {
      return { failed: (error as Declined).declineCode ?? (error as Error).message };
    }
  }
  @Step() async charge(id: string) {
    effects.push(`charge ${id}`);
    return id;
  }
}

describe.each(['dynamodb', 'lambda-durable'] as const)('side by side on %s', (backend) => {
  const start = START[backend];

  it('runs each step once across a suspension, retries a failing step, tries an at-most-once step once', async () => {
    const execution = start(Journey, 'ada');
    const outcome = await execution.outcome();
    expect(outcome.status).toBe('SUCCEEDED');
    // Started, resumed after the sleep, resumed after the retry delay: each replayed what came before.
    expect(execution.invocations()).toBe(3);
    const output = (outcome as { output: Record<string, unknown> }).output;
    expect(output).toMatchObject({ greeting: 'hello ada', slept: true, flaky: 'flaky ok for ada' });
    // One greet although the sleep ended an invocation; flaky ran twice (one failure, one success); once ran once.
    expect(effects).toEqual(['greet ada', 'flaky', 'flaky', 'once', 'rich']);
    const caught = output.caught as Error & { declineCode: string };
    // A user's error class is not rebuilt (no registry of user classes): an Error with its own fields.
    expect(caught).toBeInstanceOf(Error);
    expect(caught).not.toBeInstanceOf(Declined);
    expect(caught).toMatchObject({ message: 'card declined (expired)', declineCode: 'expired' });
    expect(output.rich).toEqual(RICH);
    const rich = output.rich as typeof RICH;
    expect(rich.at).toBeInstanceOf(Date);
    expect(rich.counts.get('x')).toBe(2n ** 70n);
    expect(rich.total).toBe(12n);
  });

  it('gives map and parallel results in order, and the first failure by index', async () => {
    // Invocations are not compared here: with full jitter the two retrying items' delays end apart on the
    // dynamodb driver's clock (one resume each), while under real timers the SDK's whole-second delays coincide.
    const outcome = await start(FanOut, [1, 2, 3]).outcome();
    expect(outcome).toEqual({
      status: 'SUCCEEDED',
      output: { doubled: [2, 4, 6], pair: ['left', 'right'], failed: 'item 2 failed' },
    });
    // The failing items ran three times each (the default policy), on both backends.
    expect(effects.toSorted()).toEqual(['check 1', ...Array(3).fill('check 2'), ...Array(3).fill('check 3')]);
  });

  it('resumes with a callback completed from outside, its values intact, running earlier steps once', async () => {
    const execution = start(Approval, 'pr-7');
    await execution.callbackOpen('manager');
    expect(effects).toEqual(['notify pr-7']);
    const decision = { by: 'ada', at: new Date('2026-01-02T03:04:05.000Z'), budget: 2n ** 64n };
    await execution.complete('manager', decision);
    expect(await execution.outcome()).toEqual({
      status: 'SUCCEEDED',
      output: { id: 'pr-7', decision, recorded: 'approved by ada' },
    });
    expect(effects).toEqual(['notify pr-7', 'record ada']);
    expect(execution.invocations()).toBe(2);
  });

  it('invokes a second service: its input and output keep their types, its error its fields, each step once', async () => {
    expect(await start(Checkout, { id: 'o-1' }, Receipts).outcome()).toEqual({
      status: 'SUCCEEDED',
      output: { receipt: { id: 'o-1', cents: 2n ** 63n, at: RICH.at } },
    });
    expect(effects).toEqual(['charge o-1', 'receipt o-1']);
    effects.length = 0;
    expect(await start(Checkout, { id: 'o-2', fail: true }, Receipts).outcome()).toEqual({
      status: 'SUCCEEDED',
      output: { failed: 'no-receipt' },
    });
    expect(effects).toEqual(['charge o-2', 'receipt o-2']);
  });

  it.each([
    ['a renamed step', OrdersRenamed, { name: 'reserve' }, { name: 'reserveStock' }],
    ['a step called with other arguments', OrdersOtherArgs, { name: 'reserve' }, { name: 'reserve' }],
  ])('fails with NonDeterminismError on %s, running nothing new', async (_case, versionB, recorded, actual) => {
    const execution = start(OrdersA, 'sku-1');
    await execution.callbackOpen('pause');
    expect(effects).toEqual(['reserve sku-1']);
    execution.deploy(versionB);
    await execution.complete('pause', {});
    const outcome = await execution.outcome();
    expect(outcome.status).toBe('FAILED');
    const error = (outcome as { error: NonDeterminismError }).error;
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect(error).toMatchObject({ code: 'NON_DETERMINISM', position: '1', recorded, actual });
    expect(effects).toEqual(['reserve sku-1']);
  });
});
