/**
 * The kit under `node:test` instead of vitest: nothing of it depends on a test framework, and its clock is the
 * runner's own (no fake timers), so Node's runner works as is. Run with
 * `TSX_TSCONFIG_PATH=tsconfig.base.json node --import tsx --test packages/core/src/testing/test-runner.node-test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DurableContext, DurableService, Step, StepInterruptedError, Workflow } from '../index.js';
import { DurableTestRunner } from './index.js';

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5, 9, 0, 0);

const sideEffects: string[] = [];

@DurableService({ name: 'kit-node-trial' })
class Trial {
  @Workflow()
  async subscribe(ctx: DurableContext, user: string) {
    await this.welcome(user);
    await ctx.sleep('trial', { days: 14 });
    const answer = await ctx.waitForCallback<{ keep: boolean }>('decision', () => {});
    return answer.keep ? this.bill(user) : 'cancelled';
  }

  @Step()
  async welcome(user: string): Promise<void> {
    sideEffects.push(`welcome ${user}`);
  }

  @Step({ semantics: 'at-most-once' })
  async bill(user: string): Promise<string> {
    sideEffects.push(`bill ${user}`);
    return `billed ${user}`;
  }
}

describe('DurableTestRunner under node:test', () => {
  it('skips a trial of 14 days, then completes the callback by name', async () => {
    sideEffects.length = 0;
    const runner = new DurableTestRunner({ services: [Trial], startAt: START });
    const waiting = await runner.run(Trial, 'subscribe', 'ada');
    assert.equal(waiting.status, 'SUSPENDED');
    assert.equal(runner.now(), START + 14 * DAY_MS);
    assert.deepEqual(
      waiting.pendingCallbacks.map((callback) => callback.name),
      ['decision'],
    );

    const done = await runner.completeCallback('decision', { keep: true });
    assert.equal(done.output, 'billed ada');
    assert.equal(done.step('bill')?.attempts, 1);
    assert.deepEqual(sideEffects, ['welcome ada', 'bill ada']);
  });

  it('shows at-most-once behaviour after a crash inside the step', async () => {
    sideEffects.length = 0;
    const runner = new DurableTestRunner({ services: [Trial], startAt: START });
    await runner.run(Trial, 'subscribe', 'bob', { id: 'bob' });
    const crashed = await runner.completeCallback('decision', { keep: true }, { crash: { beforeCheckpoint: 'bill' } });
    assert.equal(crashed.status, 'RUNNING');

    const resumed = await runner.resume('bob');
    assert.equal(resumed.status, 'FAILED');
    assert.ok(resumed.error instanceof StepInterruptedError);
    assert.deepEqual(sideEffects, ['welcome bob', 'bill bob']);
  });
});
