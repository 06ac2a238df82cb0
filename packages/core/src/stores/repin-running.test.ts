import { describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  exportExecution,
  MemoryStore,
  replayJournal,
  Step,
  Workflow,
} from '../index.js';

// An invocation that is still running when `durable-gen migrate` checks its execution: whether its lease expired
// is a matter of clocks (the operator's may be ahead), and the repin fences nothing it would notice. So only a
// SUSPENDED execution moves.

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:skew';
const V1 = { functionArn: FUNCTION, version: '1' };
const V2 = { functionArn: FUNCTION, version: '2' };

let release: () => void = () => {};
let entered: () => void = () => {};

@DurableService({ name: 'skew' })
class SkewV1 {
  @Workflow() async run(ctx: DurableContext) {
    await this.a();
    await this.b();
    await ctx.sleep('hold', { days: 1 });
    return 'done';
  }
  @Step() async a() {
    return 'a';
  }
  @Step() async b() {
    entered();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return 'b';
  }
}

@DurableService({ name: 'skew' })
class SkewV2 {
  /** `b` became `c`: V2 replays what V1 had recorded when migrate checked, not what V1 recorded after. */
  @Workflow() async run(ctx: DurableContext) {
    await this.a();
    await this.c();
    await ctx.sleep('hold', { days: 1 });
    return 'done';
  }
  @Step() async a() {
    return 'a';
  }
  @Step() async c() {
    return 'c';
  }
}

describe('repinExecution of an execution an invocation is running', () => {
  it('refuses it, so what that invocation records next is checked before any move', async () => {
    const store = new MemoryStore();
    let clock = Date.UTC(2026, 11, 1);
    const options = { store, now: () => clock, maxInProcessWaitMs: 0 };
    const lambda = (version: string) => ({
      invokedFunctionArn: `${FUNCTION}:${version}`,
      functionVersion: version,
      getRemainingTimeInMillis: () => 30_000,
    });
    const key = { service: 'skew', executionId: 'e-1' };

    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const running = createHandler(SkewV1, options)({ executionId: 'e-1', input: null }, lambda('1'));
    await inside;

    // migrate, on a laptop whose clock is a minute ahead of Lambda's: the check, then the repin.
    const record = (await store.getExecution(key))!;
    expect(record).toMatchObject({ status: 'RUNNING', invocations: 1, pinnedVersion: V1 });
    const verdict = await replayJournal(SkewV2, exportExecution(record, await store.loadJournal(key)));
    expect(verdict).toMatchObject({ compatible: true, invocations: 1 });
    // Whatever the mover's clock says of the lease, a RUNNING execution does not move.
    expect(await store.repinExecution(key, { from: V1, to: V2, invocations: 1 })).toBe(false);

    // V1's invocation was alive all along: it records `b` and suspends, still on V1.
    release();
    expect(await running).toMatchObject({ status: 'SUSPENDED' });
    expect((await store.loadJournal(key)).map((op) => op.name)).toEqual(['a', 'b', 'hold']);
    expect((await store.getExecution(key))?.pinnedVersion).toEqual(V1);

    // A check now sees what V1 recorded since: V2 does not replay it, and the execution finishes on V1.
    const after = (await store.getExecution(key))!;
    const recheck = await replayJournal(SkewV2, exportExecution(after, await store.loadJournal(key)));
    expect(recheck).toMatchObject({ compatible: false, position: '2' });
    clock += 2 * 86_400_000;
    expect(await createHandler(SkewV1, options)({ executionId: 'e-1' }, lambda('1'))).toMatchObject({
      status: 'SUCCEEDED',
      output: 'done',
    });
  });
});
