import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler, type DurableContext, DurableService, NonRetryableError, Step, Workflow } from '../index.js';
import { clockStartingNow, lambdaContextWith, RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

/** Every step body that runs appends its name: what a replay must not add to. */
const ran: string[] = [];

beforeEach(() => {
  ran.length = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

// ---- a finished execution ------------------------------------------------------

@DurableService({ name: 'checkout' })
class Checkout {
  @Workflow()
  async place(ctx: DurableContext, order: { id: string; amount: number }) {
    ctx.logger.info('placing order');
    const reservation = await this.reserve(order.id);
    if (order.amount === 0) throw new TypeError('amount must not be zero');
    const charge = await this.charge(order.amount);
    return { reservation, charge, at: await ctx.now() };
  }

  @Step()
  async reserve(orderId: string) {
    ran.push('reserve');
    return `reservation-${orderId}`;
  }

  @Step()
  async charge(amount: number) {
    ran.push('charge');
    if (amount < 0) throw new NonRetryableError(`cannot charge a negative amount (${amount})`);
    return { amount, receipt: 'r-1' };
  }
}

describe('a finished execution', () => {
  it('answers a second invocation with the recorded output, running no step and logging nothing', async () => {
    const store = testStore();
    const logger = new RecordingLogger();
    const handler = createHandler(Checkout, { store, logger });
    const event = { executionId: uniqueId('order'), input: { id: 'o1', amount: 30 } };

    const first = await handler(event);
    expect(first).toMatchObject({ status: 'SUCCEEDED', output: { reservation: 'reservation-o1' } });
    expect(ran).toEqual(['reserve', 'charge']);
    logger.clear();

    const second = await handler(event);
    expect(second).toEqual(first);
    expect(ran).toEqual(['reserve', 'charge']);
    expect(logger.entries).toEqual([]);
  });

  it('rethrows the recorded error of a FAILED execution, same class, code and message, running nothing', async () => {
    const store = testStore();
    const handler = createHandler(Checkout, { store, logger: new RecordingLogger() });
    const event = { executionId: uniqueId('order'), input: { id: 'o2', amount: -5 } };

    const first = await rejectionOf(handler(event));
    expect(first).toBeInstanceOf(NonRetryableError);
    expect(ran).toEqual(['reserve', 'charge']);

    const second = await rejectionOf(handler(event));
    expect(second).toBeInstanceOf(NonRetryableError);
    expect(second).toMatchObject({
      name: 'NonRetryableError',
      code: 'NON_RETRYABLE',
      message: (first as Error).message,
    });
    expect(second).toEqual(first);
    expect(ran).toEqual(['reserve', 'charge']);
    expect((await store.getExecution({ service: 'checkout', executionId: event.executionId }))?.status).toBe('FAILED');
  });

  it('rethrows a recorded built-in error as its own class', async () => {
    const handler = createHandler(Checkout, { store: testStore(), logger: new RecordingLogger() });
    const event = { executionId: uniqueId('order'), input: { id: 'o3', amount: 0 } };

    const first = await rejectionOf(handler(event));
    const second = await rejectionOf(handler(event));
    expect(first).toBeInstanceOf(TypeError);
    expect(second).toBeInstanceOf(TypeError);
    expect((second as Error).message).toBe('amount must not be zero');
    expect(second).toEqual(first);
    expect(ran).toEqual(['reserve']);
  });
});

// ---- an interrupted execution ---------------------------------------------------

/** While set, step 3 calls it and never returns: the invocation is "killed" there (its lease simply runs out). */
let hangInStep3: (() => void) | undefined;

@DurableService({ name: 'pipeline' })
class Pipeline {
  /** `ctx.isReplaying` as the workflow saw it at each point, per invocation. */
  static replaying: boolean[] = [];

  @Workflow()
  async run(ctx: DurableContext, input: { batch: string }) {
    const seen = (point: string) => {
      Pipeline.replaying.push(ctx.isReplaying);
      ctx.logger.info(point);
    };
    seen('start');
    const a = await this.extract(input.batch);
    seen('after extract');
    const b = await this.transform(a);
    seen('after transform');
    const c = await this.load(b);
    seen('after load');
    const d = await this.report(c);
    seen('done');
    return d;
  }

  @Step() async extract(batch: string) {
    ran.push('extract');
    return `${batch}:extracted`;
  }

  @Step() async transform(value: string) {
    ran.push('transform');
    return `${value}:transformed`;
  }

  @Step() async load(value: string) {
    ran.push('load');
    if (hangInStep3 !== undefined) {
      hangInStep3();
      await new Promise<never>(() => {});
    }
    return `${value}:loaded`;
  }

  @Step() async report(value: string) {
    ran.push('report');
    return `${value}:reported`;
  }
}

describe('an execution interrupted midway', () => {
  it('replays the recorded steps without running them and runs the rest', async () => {
    const store = testStore();
    const clock = clockStartingNow();
    const logger = new RecordingLogger();
    const handler = createHandler(Pipeline, { store, now: clock.now, leaseMs: 60_000, logger });
    const event = { executionId: uniqueId('batch'), input: { batch: 'b7' } };

    const inStep3 = new Promise<void>((resolve) => {
      hangInStep3 = resolve;
    });
    Pipeline.replaying = [];
    void handler(event); // never settles: this invocation dies inside step 3
    await inStep3;
    hangInStep3 = undefined;
    expect(ran).toEqual(['extract', 'transform', 'load']);
    expect(Pipeline.replaying).toEqual([false, false, false]);
    expect(logger.messages('info')).toEqual(['start', 'after extract', 'after transform']);

    // The dead invocation's lease runs out; Lambda (or the sweeper) invokes again.
    clock.advance(10 * 60_000);
    ran.length = 0;
    Pipeline.replaying = [];
    logger.clear();
    const result = await handler(event);

    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: event.executionId,
      output: 'b7:extracted:transformed:loaded:reported',
    });
    expect(ran).toEqual(['load', 'report']);
    // Replaying until the last recorded operation is reached, live afterwards.
    expect(Pipeline.replaying).toEqual([true, true, false, false, false]);
    // What was logged before the interruption is not logged again.
    expect(logger.messages('info')).toEqual(['after transform', 'after load', 'done']);
    const journal = await store.loadJournal({ service: 'pipeline', executionId: event.executionId });
    expect(journal.map((r) => `${r.position}:${r.name}:${r.status}`)).toEqual([
      '1:extract:SUCCEEDED',
      '2:transform:SUCCEEDED',
      '3:load:SUCCEEDED',
      '4:report:SUCCEEDED',
    ]);
  });
});

// ---- recorded values: now, random, uuid, rich step results ----------------------

/** A value with every kind the journal must round-trip. */
function richValue() {
  return {
    date: new Date('2024-02-29T12:34:56.789Z'),
    map: new Map<string, unknown>([
      ['a', 1],
      ['nested', new Set([1n, 2n])],
    ]),
    set: new Set(['x', 'y']),
    big: 12345678901234567890n,
    missing: undefined,
    list: [1, undefined, 3],
    bytes: new Uint8Array([0, 1, 254, 255]),
    error: Object.assign(new Error('card declined'), { code: 'CARD_DECLINED', detail: { attempt: 2 } }),
  };
}

class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
}

@DurableService({ name: 'recorder' })
class Recorder {
  /** What the workflow saw, one entry per invocation. */
  static seen: unknown[] = [];
  static produced: unknown[] = [];

  @Workflow()
  async values(ctx: DurableContext) {
    const now = await ctx.now();
    const random = await ctx.random();
    const uuid = await ctx.uuid();
    Recorder.seen.push({ now, random, uuid });
    await ctx.sleep('pause', { minutes: 1 });
    return { now, random, uuid };
  }

  @Workflow()
  async rich(ctx: DurableContext) {
    const value = await this.produceRich();
    const money = await this.produceMoney();
    const nothing = await this.produceNothing();
    Recorder.seen.push({ value, money, nothing });
    await ctx.sleep('pause', { minutes: 1 });
    return 'done';
  }

  @Step() async produceRich() {
    ran.push('produceRich');
    const value = richValue();
    Recorder.produced.push(value);
    return value;
  }

  @Step() async produceMoney() {
    ran.push('produceMoney');
    return new Money(5, 'EUR');
  }

  @Step() async produceNothing(): Promise<undefined> {
    ran.push('produceNothing');
    return undefined;
  }
}

/** Runs `workflow` until its sleep suspends it, then resumes it after the sleep. */
async function runAcrossSuspension(workflow: 'values' | 'rich') {
  const store = testStore();
  const clock = clockStartingNow();
  const handler = createHandler(Recorder, { store, now: clock.now, logger: new RecordingLogger() });
  const event = { executionId: uniqueId(workflow), workflow, input: null };
  const first = await handler(event, lambdaContextWith(5_000));
  expect(first.status).toBe('SUSPENDED');
  clock.advance(2 * 60_000);
  return {
    executionId: event.executionId,
    resume: () => handler({ executionId: event.executionId }, lambdaContextWith(5_000)),
  };
}

describe('recorded values', () => {
  beforeEach(() => {
    Recorder.seen = [];
    Recorder.produced = [];
  });

  it('returns the recorded now, random and uuid on replay', async () => {
    const { executionId, resume } = await runAcrossSuspension('values');
    // Were they produced again, these would differ.
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(1999, 0, 1));
    vi.spyOn(Math, 'random').mockReturnValue(0.5);

    const result = await resume();

    const [first, replayed] = Recorder.seen;
    expect(replayed).toEqual(first);
    expect(result).toEqual({ status: 'SUCCEEDED', executionId, output: first });
    expect(first).toMatchObject({ now: expect.any(Number), random: expect.any(Number) });
    expect((first as { uuid: string }).uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((first as { now: number }).now).not.toBe(Date.UTC(1999, 0, 1));
  });

  it('gives a step result back identical on the first run and on replay (Date, Map, Set, BigInt, undefined, Uint8Array, Error)', async () => {
    const { resume } = await runAcrossSuspension('rich');
    expect(ran).toEqual(['produceRich', 'produceMoney', 'produceNothing']);
    await resume();
    expect(ran).toEqual(['produceRich', 'produceMoney', 'produceNothing']);

    const [first, replayed] = Recorder.seen as { value: ReturnType<typeof richValue>; money: unknown }[];
    for (const seen of [first!, replayed!]) {
      const { value } = seen;
      expect(value).toEqual(richValue());
      expect(value.date).toBeInstanceOf(Date);
      expect(value.date.toISOString()).toBe('2024-02-29T12:34:56.789Z');
      expect(value.map).toBeInstanceOf(Map);
      expect(value.map.get('nested')).toEqual(new Set([1n, 2n]));
      expect(value.set).toEqual(new Set(['x', 'y']));
      expect(value.big).toBe(12345678901234567890n);
      expect('missing' in value).toBe(true);
      expect(value.missing).toBeUndefined();
      expect(value.list).toEqual([1, undefined, 3]);
      expect(value.bytes).toBeInstanceOf(Uint8Array);
      expect([...value.bytes]).toEqual([0, 1, 254, 255]);
      expect(value.error).toBeInstanceOf(Error);
      expect(value.error).toMatchObject({ message: 'card declined', code: 'CARD_DECLINED', detail: { attempt: 2 } });
      expect(value.error.stack).toBe((Recorder.produced[0] as ReturnType<typeof richValue>).error.stack);
    }
    expect(replayed).toEqual(first);
  });

  it('hands the first run the value after its round trip through the journal, as a replay will see it', async () => {
    await runAcrossSuspension('rich');
    const [first] = Recorder.seen as { value: unknown; money: unknown; nothing: unknown }[];
    // Not the object the step returned, but an equal copy read back from the journal ...
    expect(first!.value).not.toBe(Recorder.produced[0]);
    expect(first!.value).toEqual(Recorder.produced[0]);
    // ... so a class instance is already a plain object on the first run, not only on replay.
    expect(first!.money).not.toBeInstanceOf(Money);
    expect(first!.money).toEqual({ amount: 5, currency: 'EUR' });
    expect(first!.nothing).toBeUndefined();
  });
});
