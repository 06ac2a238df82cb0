import { beforeEach, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  NonDeterminismError,
  type OperationSignature,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';
import { hashSerialized } from '../journal/hash.js';
import { clockStartingNow, lambdaContextWith, RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

/**
 * Each case runs version A of a service until its sleep suspends it, then
 * "deploys" version B (another class with the same service name) and resumes
 * the same execution with it, as Lambda would after a code change.
 */

/** Every step body that runs appends its name. */
const ran: string[] = [];

beforeEach(() => {
  ran.length = 0;
});

/** Longer than the 5 s the invocation has left: the sleep suspends. */
const SETTLE = { seconds: 30 };

async function deployBetweenInvocations(versionA: ServiceClass, versionB: ServiceClass) {
  const store = testStore();
  const key = { service: 'orders', executionId: uniqueId('order') };
  const clock = clockStartingNow();
  const logger = new RecordingLogger();
  const handlerA = createHandler(versionA, { store, now: clock.now, logger });
  const suspended = await handlerA({ executionId: key.executionId, input: { sku: 'sku-1' } }, lambdaContextWith(5_000));
  expect(suspended.status).toBe('SUSPENDED');
  const journal = await store.loadJournal(key);
  const ranBefore = [...ran];

  clock.advance(60_000);
  logger.clear();
  ran.length = 0;
  const handlerB = createHandler(versionB, { store, now: clock.now, logger });
  const error = await rejectionOf(handlerB({ executionId: key.executionId }, lambdaContextWith(5_000)));
  return { store, key, logger, handlerB, error, journal, ranBefore, ranInB: [...ran] };
}

type Run = Awaited<ReturnType<typeof deployBetweenInvocations>>;

/** The recorded signature at `position`, as the journal has it. */
function recordedAt(run: Run, position: string): OperationSignature {
  const record = run.journal.find((r) => r.position === position);
  if (record === undefined) throw new Error(`no record at position ${position}`);
  return {
    kind: record.kind,
    name: record.name,
    argsHash: record.argsHash,
    ...(record.args === undefined ? {} : { args: record.args }),
  };
}

/** What every case must show: FAILED loudly, rethrown, logged, and answered from the record afterwards. */
async function expectFailedLoudly(
  run: Run,
  expected: { position: string; recorded: OperationSignature; actual: OperationSignature | null },
) {
  const { error, store, key, logger, handlerB } = run;
  expect(error).toBeInstanceOf(NonDeterminismError);
  const nd = error as NonDeterminismError;
  expect(nd.code).toBe('NON_DETERMINISM');
  expect(nd.retryable).toBe(false);
  expect(nd.position).toBe(expected.position);
  expect(nd.recorded).toEqual(expected.recorded);
  if (expected.actual === null) expect(nd.actual).toBeNull();
  else expect(nd.actual).toMatchObject(expected.actual);
  expect(nd.message).toContain(`position ${expected.position}`);
  expect(nd.message).toContain(`'${expected.recorded.name}'`);

  const record = await store.getExecution(key);
  expect(record?.status).toBe('FAILED');

  const errors = logger.entries.filter((e) => e.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.message).toBe(nd.message);
  expect(errors[0]?.fields).toMatchObject({ code: 'NON_DETERMINISM', executionId: key.executionId });

  // Any later invocation answers with the recorded error and runs nothing.
  ran.length = 0;
  const journalBefore = await store.loadJournal(key);
  const again = await rejectionOf(handlerB({ executionId: key.executionId }));
  expect(again).toBeInstanceOf(NonDeterminismError);
  expect(again).toMatchObject({
    code: 'NON_DETERMINISM',
    message: nd.message,
    position: nd.position,
    recorded: nd.recorded,
    actual: nd.actual,
  });
  expect(ran).toEqual([]);
  expect(await store.loadJournal(key)).toEqual(journalBefore);
  expect((await store.getExecution(key))?.status).toBe('FAILED');
}

// ---- a renamed step --------------------------------------------------------------

@DurableService({ name: 'orders' })
class RenameA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await ctx.sleep('settle', SETTLE);
    return this.ship(input.sku);
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return `r-${sku}`;
  }
  @Step() async ship(sku: string) {
    ran.push('ship');
    return `s-${sku}`;
  }
}

@DurableService({ name: 'orders' })
class RenameB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserveStock(input.sku);
    await ctx.sleep('settle', SETTLE);
    return this.ship(input.sku);
  }
  @Step() async reserveStock(sku: string) {
    ran.push('reserveStock');
    return `r-${sku}`;
  }
  @Step() async ship(sku: string) {
    ran.push('ship');
    return `s-${sku}`;
  }
}

// ---- two steps reordered ------------------------------------------------------------

@DurableService({ name: 'orders' })
class ReorderA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.charge(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

@DurableService({ name: 'orders' })
class ReorderB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.charge(input.sku);
    await this.reserve(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

// ---- the same step with other arguments ----------------------------------------------

@DurableService({ name: 'orders' })
class ArgsA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.charge(input.sku, { amount: 100, currency: 'EUR' });
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async charge(sku: string, price: { amount: number; currency: string }) {
    ran.push('charge');
    return `${sku}:${price.amount}`;
  }
}

@DurableService({ name: 'orders' })
class ArgsB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.charge(input.sku, { amount: 120, currency: 'EUR' });
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async charge(sku: string, price: { amount: number; currency: string }) {
    ran.push('charge');
    return `${sku}:${price.amount}`;
  }
}

// ---- a step removed from the middle ------------------------------------------------------

@DurableService({ name: 'orders' })
class MiddleA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.audit(input.sku);
    await this.charge(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async audit(sku: string) {
    ran.push('audit');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

@DurableService({ name: 'orders' })
class MiddleB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.charge(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

// ---- recorded operations the new code never reaches -----------------------------------------

@DurableService({ name: 'orders' })
class TailA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.charge(input.sku);
    await this.notify(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
  @Step() async notify(sku: string) {
    ran.push('notify');
    return sku;
  }
}

@DurableService({ name: 'orders' })
class TailB {
  @Workflow() async place(_ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.charge(input.sku);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

// ---- a step replaced by a sleep -----------------------------------------------------------

@DurableService({ name: 'orders' })
class KindA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.charge(input.sku);
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
  @Step() async charge(sku: string) {
    ran.push('charge');
    return sku;
  }
}

@DurableService({ name: 'orders' })
class KindB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await ctx.sleep('charge', { seconds: 1 });
    await ctx.sleep('settle', SETTLE);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
}

// ---- a workflow that swallows the error -----------------------------------------------------

@DurableService({ name: 'orders' })
class SwallowB {
  static caught: unknown[] = [];

  @Workflow() async place(_ctx: DurableContext, input: { sku: string }) {
    try {
      await this.reserveStock(input.sku);
    } catch (error) {
      SwallowB.caught.push(error);
    }
    return 'looks fine';
  }
  @Step() async reserveStock(sku: string) {
    ran.push('reserveStock');
    return sku;
  }
}

describe('a code change under a running execution', () => {
  it('fails on a renamed step', async () => {
    const run = await deployBetweenInvocations(RenameA, RenameB);
    expect(run.ranBefore).toEqual(['reserve']);
    expect(run.ranInB).toEqual([]);
    const recorded = recordedAt(run, '1');
    expect(recorded).toMatchObject({ kind: 'step', name: 'reserve' });
    await expectFailedLoudly(run, {
      position: '1',
      recorded,
      actual: { kind: 'step', name: 'reserveStock', argsHash: recorded.argsHash },
    });
  });

  it('fails on two reordered steps', async () => {
    const run = await deployBetweenInvocations(ReorderA, ReorderB);
    expect(run.ranInB).toEqual([]);
    await expectFailedLoudly(run, {
      position: '1',
      recorded: recordedAt(run, '1'),
      actual: { kind: 'step', name: 'charge', argsHash: recordedAt(run, '2').argsHash },
    });
    expect(recordedAt(run, '1').name).toBe('reserve');
  });

  it('fails on the same step called with other arguments', async () => {
    const run = await deployBetweenInvocations(ArgsA, ArgsB);
    expect(run.ranInB).toEqual([]);
    const recorded = recordedAt(run, '1');
    const error = run.error as NonDeterminismError;
    expect(error.actual).toMatchObject({ kind: 'step', name: 'charge' });
    expect(error.actual?.argsHash).not.toBe(recorded.argsHash);
    expect(error.message).toContain('other arguments');
    await expectFailedLoudly(run, { position: '1', recorded, actual: error.actual });
  });

  it('fails on a step removed from the middle', async () => {
    const run = await deployBetweenInvocations(MiddleA, MiddleB);
    expect(run.ranInB).toEqual([]);
    expect(recordedAt(run, '2').name).toBe('audit');
    await expectFailedLoudly(run, {
      position: '2',
      recorded: recordedAt(run, '2'),
      actual: { kind: 'step', name: 'charge', argsHash: recordedAt(run, '3').argsHash },
    });
  });

  it('fails when the workflow returns with recorded operations left unconsumed (a step removed at the end)', async () => {
    const run = await deployBetweenInvocations(TailA, TailB);
    expect(run.ranInB).toEqual([]);
    expect(recordedAt(run, '3').name).toBe('notify');
    await expectFailedLoudly(run, { position: '3', recorded: recordedAt(run, '3'), actual: null });
    expect((await run.store.getExecution(run.key))?.output).toBeUndefined();
  });

  it('fails on a step replaced by a sleep', async () => {
    const run = await deployBetweenInvocations(KindA, KindB);
    expect(run.ranInB).toEqual([]);
    expect(recordedAt(run, '2')).toMatchObject({ kind: 'step', name: 'charge' });
    await expectFailedLoudly(run, {
      position: '2',
      recorded: recordedAt(run, '2'),
      actual: { kind: 'sleep', name: 'charge', argsHash: hashSerialized('1000 ms'), args: '1000 ms' },
    });
  });

  it('ends FAILED even when the workflow catches the error and returns normally', async () => {
    SwallowB.caught = [];
    const run = await deployBetweenInvocations(RenameA, SwallowB);
    expect(SwallowB.caught).toHaveLength(1);
    expect(SwallowB.caught[0]).toBeInstanceOf(NonDeterminismError);
    const recorded = recordedAt(run, '1');
    await expectFailedLoudly(run, {
      position: '1',
      recorded,
      actual: { kind: 'step', name: 'reserveStock', argsHash: recorded.argsHash },
    });
    expect((await run.store.getExecution(run.key))?.output).toBeUndefined();
  });
});
