import { beforeEach, describe, expect, it } from 'vitest';
import { type DurableContext, DurableService, Step, StepInterruptedError, Workflow } from '../index.js';
import { CrashPointNotReachedError, DurableTestRunner, InvalidCrashPointError, rejectionOf } from './index.js';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const LEASE_MS = 60_000;

/** The side effects of the steps below, in order, across invocations: what a crash makes run twice, or not. */
let sideEffects: string[] = [];

beforeEach(() => {
  sideEffects = [];
});

@DurableService({ name: 'kit-payments' })
class Payments {
  /** At-least-once steps: a crash repeats at most the one in flight. */
  @Workflow()
  async settle(ctx: DurableContext, orderId: string) {
    await this.reserve(orderId);
    await this.charge(orderId);
    await ctx.sleep('cool-off', { days: 2 });
    await this.notify(orderId);
    return 'settled';
  }

  /** An at-most-once step: after a crash inside it, the workflow is told instead of the step running again. */
  @Workflow()
  async pay(_ctx: DurableContext, orderId: string) {
    try {
      return await this.transfer(orderId);
    } catch (error) {
      if (error instanceof StepInterruptedError) return `interrupted at ${error.position}: reconcile by hand`;
      throw error;
    }
  }

  @Step()
  async reserve(orderId: string): Promise<void> {
    sideEffects.push(`reserve ${orderId}`);
  }

  @Step()
  async charge(orderId: string): Promise<string> {
    sideEffects.push(`charge ${orderId}`);
    return `receipt ${orderId}`;
  }

  @Step()
  async notify(orderId: string): Promise<void> {
    sideEffects.push(`notify ${orderId}`);
  }

  @Step({ semantics: 'at-most-once' })
  async transfer(orderId: string): Promise<string> {
    sideEffects.push(`transfer ${orderId}`);
    return `transferred ${orderId}`;
  }
}

@DurableService({ name: 'kit-ledger' })
class Ledger {
  @Workflow()
  async post(_ctx: DurableContext, entry: string) {
    return this.book(entry);
  }

  @Step()
  async book(entry: string): Promise<string> {
    sideEffects.push(`book ${entry}`);
    return `booked ${entry}`;
  }
}

@DurableService({ name: 'kit-billing' })
class Billing {
  @Workflow()
  async close(ctx: DurableContext, month: string) {
    return ctx.invoke<string, string>({ service: 'kit-ledger', workflow: 'post' }, month);
  }
}

function newRunner(): DurableTestRunner {
  return new DurableTestRunner({ services: [Payments, Ledger, Billing], startAt: START, leaseMs: LEASE_MS });
}

describe('crash injection, at-least-once steps', () => {
  it('a crash before the checkpoint of a step repeats that step only', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Payments, 'settle', 'o-1', { crash: { beforeCheckpoint: 'charge' } });

    // Like a killed process: the lease is still held, and nothing of charge was recorded though it ran.
    expect(crashed.status).toBe('RUNNING');
    expect(crashed.crash).toMatchObject({ position: '2', name: 'charge', kind: 'step' });
    expect(crashed.journal.map((entry) => entry.name)).toEqual(['reserve']);
    expect(crashed.leaseExpiresAt).toBeGreaterThan(runner.now());
    expect(sideEffects).toEqual(['reserve o-1', 'charge o-1']);

    const resumed = await runner.resume(crashed.id);
    expect(resumed.status).toBe('SUCCEEDED');
    expect(sideEffects).toEqual(['reserve o-1', 'charge o-1', 'charge o-1', 'notify o-1']);
    expect(resumed.step('charge')).toMatchObject({ status: 'SUCCEEDED', attempts: 1, epoch: 2 });
    // The retry came after the dead invocation's lease, as Lambda's would.
    expect(resumed.invocations).toBe(3);
  });

  it('a crash after the checkpoint of a step repeats nothing', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Payments, 'settle', 'o-2', { crash: { afterCheckpoint: 'charge' } });
    expect(crashed.status).toBe('RUNNING');
    expect(crashed.step('charge')?.status).toBe('SUCCEEDED');

    const resumed = await runner.resume(crashed.id);
    expect(resumed.output).toBe('settled');
    expect(sideEffects).toEqual(['reserve o-2', 'charge o-2', 'notify o-2']);
  });

  it('takes a position, and crashes in a later invocation of the same run (after a sleep of days)', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Payments, 'settle', 'o-3', { crash: { beforeCheckpoint: 4 } });
    expect(crashed.crash).toMatchObject({ position: '4', name: 'notify' });
    expect(crashed.invocations).toBe(2);

    const resumed = await runner.resume(crashed.id);
    expect(resumed.status).toBe('SUCCEEDED');
    expect(sideEffects).toEqual(['reserve o-3', 'charge o-3', 'notify o-3', 'notify o-3']);
  });

  it('fails the run when the crash point is never reached, naming what was written', async () => {
    const runner = newRunner();
    const error = await rejectionOf(runner.run(Payments, 'settle', 'o-4', { crash: { afterCheckpoint: 'refund' } }));
    expect(error).toBeInstanceOf(CrashPointNotReachedError);
    expect((error as Error).message).toContain("without the crash asked for (after the checkpoint of 'refund')");
    expect((error as Error).message).toContain('positions 1, 2, 3, 4');
  });
});

describe('crash injection in a child execution', () => {
  it('kills the process that runs parent and child; the resume passes both leases and repeats the child step', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Billing, 'close', '2026-01', {
      id: 'jan',
      crash: { beforeCheckpoint: 'book', executionId: 'jan/1' },
    });
    expect(crashed.crash).toMatchObject({ executionId: 'jan/1', position: '1', name: 'book' });
    expect(crashed.status).toBe('RUNNING');
    expect(crashed.child(1)?.status).toBe('RUNNING');

    const resumed = await runner.resume('jan');
    expect(resumed.output).toBe('booked 2026-01');
    expect(runner.now()).toBeGreaterThan(crashed.child(1)!.leaseExpiresAt!);
    expect(sideEffects).toEqual(['book 2026-01', 'book 2026-01']);
  });
});

describe('crash injection, at-most-once steps', () => {
  it('a crash after the side effect, before its checkpoint: the step is not run again, the workflow is told', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Payments, 'pay', 'o-5', { crash: { beforeCheckpoint: 'transfer' } });
    expect(crashed.step('transfer')).toMatchObject({ status: 'STARTED', isAtMostOnce: true });

    const resumed = await runner.resume(crashed.id);
    expect(resumed.output).toBe('interrupted at 1: reconcile by hand');
    expect(resumed.step('transfer')?.error).toBeInstanceOf(StepInterruptedError);
    expect(sideEffects).toEqual(['transfer o-5']);
  });

  it('a crash before the side effect is reported the same way: the retry cannot know which it was', async () => {
    const runner = newRunner();
    const crashed = await runner.run(Payments, 'pay', 'o-6', { crash: { beforeSideEffect: 'transfer' } });
    expect(crashed.crash?.point).toBe("before the side effect of at-most-once step 'transfer'");
    expect(sideEffects).toEqual([]);

    const resumed = await runner.resume(crashed.id);
    expect(resumed.output).toBe('interrupted at 1: reconcile by hand');
    expect(sideEffects).toEqual([]);
  });

  it('without a crash, the at-most-once step runs once', async () => {
    const runner = newRunner();
    const execution = await runner.run(Payments, 'pay', 'o-7');
    expect(execution.output).toBe('transferred o-7');
    expect(sideEffects).toEqual(['transfer o-7']);
  });

  it('refuses beforeSideEffect on an at-least-once step, which records nothing before its body', async () => {
    const runner = newRunner();
    const error = await rejectionOf(runner.run(Payments, 'settle', 'o-8', { crash: { beforeSideEffect: 'charge' } }));
    expect(error).toBeInstanceOf(InvalidCrashPointError);
    expect((error as Error).message).toContain("step 'charge' is at-least-once");
  });
});
