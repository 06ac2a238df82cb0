import { afterEach, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  ExecutionNotFoundError,
  InvalidEventError,
  replayCheckEvent,
  Step,
  Workflow,
} from '../index.js';
import { CountingStore } from '../testing/counting-store.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

const SERVICE = 'replay-checked';
const FUNCTION = `arn:aws:lambda:eu-west-1:123456789012:function:${SERVICE}`;
const ran: string[] = [];

@DurableService({ name: SERVICE })
class Shipping {
  @Workflow()
  async ship(ctx: DurableContext, input: { order: string }) {
    const label = await this.label(input.order);
    await ctx.sleep('pickup', { hours: 1 });
    return this.notify(label);
  }

  @Step() async label(order: string) {
    ran.push('label');
    return `label-${order}`;
  }

  @Step() async notify(label: string) {
    ran.push('notify');
    return `${label}: sent`;
  }
}

/** The same service with its first step renamed: version 2's code, which no longer replays version 1's journals. */
@DurableService({ name: SERVICE })
class ShippingRenamed {
  @Workflow()
  async ship(ctx: DurableContext, input: { order: string }) {
    const label = await this.printLabel(input.order);
    await ctx.sleep('pickup', { hours: 1 });
    return this.notify(label);
  }

  @Step() async printLabel(order: string) {
    ran.push('printLabel');
    return `label-${order}`;
  }

  @Step() async notify(label: string) {
    ran.push('notify');
    return `${label}: sent`;
  }
}

/** Version `version` of the function, invoked by its number. */
const onVersion = (version: string) => ({
  invokedFunctionArn: `${FUNCTION}:${version}`,
  functionVersion: version,
  getRemainingTimeInMillis: () => 30_000,
});

/** An execution suspended in its sleep on version 1, and handlers of both codes over the same store. */
async function suspendedOnVersion1() {
  const store = new CountingStore(testStore());
  const options = { store, logger: new RecordingLogger(), now: () => Date.UTC(2026, 11, 1), maxInProcessWaitMs: 0 };
  const v1 = createHandler(Shipping, options);
  const v2 = createHandler(ShippingRenamed, options);
  const executionId = uniqueId('ship');
  expect((await v1({ executionId, input: { order: 'o-1' } }, onVersion('1'))).status).toBe('SUSPENDED');
  const key = { service: SERVICE, executionId };
  const before = { record: await store.getExecution(key), journal: await store.loadJournal(key) };
  store.reset();
  ran.length = 0;
  return { store, v1, v2, executionId, key, before };
}

afterEach(() => {
  ran.length = 0;
});

describe('the replay-check event', () => {
  it("answers this code's verdict on the journal, compatible, and writes nothing", async () => {
    const { store, v1, executionId, key, before } = await suspendedOnVersion1();

    const verdict = await v1(replayCheckEvent(SERVICE, executionId), onVersion('1'));

    expect(verdict).toMatchObject({
      executionId,
      service: SERVICE,
      workflow: 'ship',
      pinnedVersion: '1',
      invocations: 1,
      compatible: true,
    });
    expect(ran).toEqual([]);
    expect(store.writes).toBe(0);
    expect(await store.getExecution(key)).toEqual(before.record);
    expect(await store.loadJournal(key)).toEqual(before.journal);
  });

  it('answers, from another version whose code diverges, the position and both operations', async () => {
    const { store, v2, executionId, key, before } = await suspendedOnVersion1();

    // Version 2 is asked about an execution pinned to version 1: no WrongVersionError, since nothing runs.
    const verdict = await v2(replayCheckEvent(SERVICE, executionId), onVersion('2'));

    expect(verdict).toMatchObject({
      compatible: false,
      position: '1',
      recorded: { kind: 'step', name: 'label' },
      actual: { kind: 'step', name: 'printLabel' },
    });
    expect(ran).toEqual([]);
    expect(store.writes).toBe(0);
    expect(await store.getExecution(key)).toEqual(before.record);
  });

  it("refuses another service's name, a malformed check and an unknown execution, writing nothing", async () => {
    const { store, v1, executionId } = await suspendedOnVersion1();

    const otherService = await rejectionOf(v1(replayCheckEvent('billing', executionId), onVersion('1')));
    expect(otherService).toBeInstanceOf(InvalidEventError);
    expect((otherService as Error).message).toContain(`reached the handler of '${SERVICE}'`);
    for (const malformed of [
      { durableReplayCheck: 2, service: SERVICE, executionId },
      { durableReplayCheck: 1, service: SERVICE },
      { durableReplayCheck: 1, service: SERVICE, executionId: '' },
    ]) {
      expect(await rejectionOf(v1(malformed as never, onVersion('1')))).toBeInstanceOf(InvalidEventError);
    }
    const unknown = await rejectionOf(v1(replayCheckEvent(SERVICE, uniqueId('nobody')), onVersion('1')));
    expect(unknown).toBeInstanceOf(ExecutionNotFoundError);
    expect(store.writes).toBe(0);
  });
});
