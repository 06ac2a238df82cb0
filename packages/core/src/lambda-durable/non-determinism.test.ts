import type { DurableExecutionInvocationInput } from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import { argumentsOf } from '../engine/operations/arguments.js';
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
import { decodeExecutionError } from '../lambda-durable.js';
import { RecordingLogger } from '../testing/fixtures.js';

/**
 * Each case runs version A of a service until it waits for the callback 'pause', then "deploys" version B (another
 * class with the same service name) and completes the callback, so the service invokes the function again: B
 * replays A's record. The SDK alone checks only kind and name, and after a mismatch it still runs the next new
 * step; here every mismatch, arguments included, fails the execution before B runs anything. Mirrors the dynamodb
 * engine's non-determinism suite (a callback pauses instead of a sleep: a sleep would cost a real second).
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/** Every step body that runs appends its name. */
const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

const SKU = 'sku-1';

async function deployBetweenInvocations(versionA: ServiceClass, versionB: ServiceClass) {
  const logger = new RecordingLogger();
  let deployed = createHandler(versionA, { backend: 'lambda-durable', logger });
  const runner = new LocalDurableTestRunner({
    handlerFunction: (event: DurableExecutionInvocationInput, context) => deployed(event, context),
  });
  const running = runner.run({ payload: { input: { sku: SKU } } });
  const pause = runner.getOperation('pause');
  await pause.waitForData(WaitingOperationStatus.SUBMITTED);
  const ranBefore = [...ran];
  ran.length = 0;
  logger.clear();
  deployed = createHandler(versionB, { backend: 'lambda-durable', logger });
  await pause.sendCallbackSuccess('{}');
  const result = await running;
  return { result, logger, ranBefore, ranInB: [...ran], error: decodeExecutionError(result.getError()) };
}

type Run = Awaited<ReturnType<typeof deployBetweenInvocations>>;

/** What every case must show: FAILED with a NonDeterminismError naming the position, logged once, nothing run. */
function expectFailedLoudly(
  run: Run,
  expected: { position: string; recorded: OperationSignature; actual: OperationSignature | null },
) {
  const { result, error, logger } = run;
  expect(result.getStatus()).toBe('FAILED');
  expect(run.ranInB).toEqual([]);
  expect(error).toBeInstanceOf(NonDeterminismError);
  const nd = error as NonDeterminismError;
  expect(nd.code).toBe('NON_DETERMINISM');
  expect(nd.retryable).toBe(false);
  expect(nd.position).toBe(expected.position);
  expect(nd.recorded).toEqual(expected.recorded);
  if (expected.actual === null) expect(nd.actual).toBeNull();
  else expect(nd.actual).toMatchObject(expected.actual);
  expect(nd.message).toContain(`position ${expected.position}`);
  expect(result.getError()).toMatchObject({ errorType: 'NonDeterminismError', errorMessage: nd.message });
  const errors = logger.entries.filter((e) => e.level === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]?.message).toBe(nd.message);
  expect(errors[0]?.fields).toMatchObject({ code: 'NON_DETERMINISM', service: 'orders' });
}

/** A step's signature, as the adapter records it. */
function stepSignature(name: string, ...args: unknown[]): OperationSignature {
  return { kind: 'step', name, ...argumentsOf(args, 'the arguments') };
}

/** Waits for the test to complete the callback 'pause': where version A stops. */
function pause(ctx: DurableContext): Promise<unknown> {
  return ctx.waitForCallback('pause', () => {});
}

// ---- a renamed step, with a new step after it -----------------------------------------------------

@DurableService({ name: 'orders' })
class RenameA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await pause(ctx);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return `r-${sku}`;
  }
}

@DurableService({ name: 'orders' })
class RenameB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserveStock(input.sku);
    // New: the SDK alone would run this step's body before failing the execution.
    await this.ship(input.sku);
    await pause(ctx);
    return 'done';
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

// ---- the same step with other arguments -----------------------------------------------------------

@DurableService({ name: 'orders' })
class ArgsA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.charge(input.sku, { amount: 100, currency: 'EUR' });
    await pause(ctx);
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
    await this.audit(input.sku);
    await pause(ctx);
    return 'done';
  }
  @Step() async charge(sku: string, price: { amount: number; currency: string }) {
    ran.push('charge');
    return `${sku}:${price.amount}`;
  }
  @Step() async audit(sku: string) {
    ran.push('audit');
    return sku;
  }
}

// ---- recorded operations the new code never reaches -----------------------------------------------

@DurableService({ name: 'orders' })
class TailA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await this.reserve(input.sku);
    await this.notify(input.sku);
    await pause(ctx);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
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
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push('reserve');
    return sku;
  }
}

// ---- a step replaced by a sleep -------------------------------------------------------------------

@DurableService({ name: 'orders' })
class KindB {
  @Workflow() async place(ctx: DurableContext, _input: { sku: string }) {
    await ctx.sleep('reserve', { seconds: 1 });
    await pause(ctx);
    return 'done';
  }
}

// ---- a branch that now ends before an operation it recorded -----------------------------------------

@DurableService({ name: 'orders' })
class BranchA {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await ctx.parallel('fulfil', [
      async () => this.reserve(input.sku),
      async (branch) => {
        await this.reserve(`${input.sku}-spare`);
        return pause(branch);
      },
    ]);
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push(`reserve ${sku}`);
    return sku;
  }
}

@DurableService({ name: 'orders' })
class BranchB {
  @Workflow() async place(ctx: DurableContext, input: { sku: string }) {
    await ctx.parallel('fulfil', [async () => this.reserve(input.sku), async () => this.reserve(`${input.sku}-spare`)]);
    await this.reserve('after');
    return 'done';
  }
  @Step() async reserve(sku: string) {
    ran.push(`reserve ${sku}`);
    return sku;
  }
}

// ---- a map over other items -----------------------------------------------------------------------

function mapOver(parcels: string[]) {
  @DurableService({ name: 'orders' })
  class Labels {
    @Workflow() async place(ctx: DurableContext, _input: { sku: string }) {
      await ctx.map('labels', parcels, async (parcel) => this.label(parcel));
      await pause(ctx);
      return 'done';
    }
    @Step() async label(parcel: string) {
      ran.push(`label ${parcel}`);
      return parcel;
    }
  }
  return Labels;
}

// ---- a workflow that swallows the error -------------------------------------------------------------

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

describe('a code change under a running execution on lambda-durable', () => {
  it('fails on a renamed step before the new step after it runs', async () => {
    const run = await deployBetweenInvocations(RenameA, RenameB);
    expect(run.ranBefore).toEqual(['reserve']);
    expectFailedLoudly(run, {
      position: '1',
      recorded: stepSignature('reserve', SKU),
      actual: stepSignature('reserveStock', SKU),
    });
  });

  it('fails on the same step called with other arguments, which the SDK does not check', async () => {
    const run = await deployBetweenInvocations(ArgsA, ArgsB);
    const error = run.error as NonDeterminismError;
    expect(error.message).toContain('other arguments');
    expect(error.message).toContain('"amount":100');
    expectFailedLoudly(run, {
      position: '1',
      recorded: stepSignature('charge', SKU, { amount: 100, currency: 'EUR' }),
      actual: stepSignature('charge', SKU, { amount: 120, currency: 'EUR' }),
    });
  });

  it('fails when the workflow now returns before a recorded operation', async () => {
    const run = await deployBetweenInvocations(TailA, TailB);
    expectFailedLoudly(run, { position: '2', recorded: stepSignature('notify', SKU), actual: null });
  });

  it('fails on a step replaced by a sleep of the same name', async () => {
    const run = await deployBetweenInvocations(TailA, KindB);
    expectFailedLoudly(run, {
      position: '1',
      recorded: stepSignature('reserve', SKU),
      actual: { kind: 'sleep', name: 'reserve', argsHash: hashSerialized('1000 ms'), args: '1000 ms' },
    });
  });

  it('fails when a branch still under way now ends before an operation it recorded', async () => {
    const run = await deployBetweenInvocations(BranchA, BranchB);
    expect(run.ranBefore.sort()).toEqual([`reserve ${SKU}`, `reserve ${SKU}-spare`]);
    expectFailedLoudly(run, {
      position: '1.2.2',
      recorded: { kind: 'callback', name: 'pause', argsHash: '' },
      actual: null,
    });
  });

  it('fails on a map over another number of items', async () => {
    const run = await deployBetweenInvocations(mapOver(['p1', 'p2', 'p3']), mapOver(['p1', 'p2']));
    expect(run.ranBefore.sort()).toEqual(['label p1', 'label p2', 'label p3']);
    expect(run.error.message).toContain('recorded 3 branches, now 2 branches');
    expectFailedLoudly(run, {
      position: '1',
      recorded: { kind: 'map', name: 'labels', argsHash: hashSerialized('3'), args: '3 branches' },
      actual: { kind: 'map', name: 'labels', argsHash: hashSerialized('2'), args: '2 branches' },
    });
  });

  it('ends FAILED even when the workflow catches the error and returns normally', async () => {
    SwallowB.caught = [];
    const run = await deployBetweenInvocations(RenameA, SwallowB);
    expect(SwallowB.caught).toHaveLength(1);
    expect(SwallowB.caught[0]).toBeInstanceOf(NonDeterminismError);
    expectFailedLoudly(run, {
      position: '1',
      recorded: stepSignature('reserve', SKU),
      actual: stepSignature('reserveStock', SKU),
    });
  });
});
