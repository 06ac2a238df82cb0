import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type TrialRequest, TrialSubscriptionService, trialDependencies } from '../src/trial-subscription.js';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY_MS = 86_400_000;
const request: TrialRequest = { accountId: 'acc-1', plan: 'team' };

let billed: string[];
let hasCard: boolean;

beforeEach(() => {
  billed = [];
  hasCard = true;
  trialDependencies.billing = {
    activateTrial: async (accountId) => void billed.push(`trial ${accountId}`),
    hasPaymentMethod: async () => hasCard,
    invoice: async (accountId, plan) => {
      billed.push(`invoice ${accountId} ${plan}`);
      return `inv-${accountId}`;
    },
    downgrade: async (accountId) => void billed.push(`downgrade ${accountId}`),
  };
});

/**
 * The next version of the service, as a careless refactor would write it: `activateTrial` renamed to
 * `beginTrial`. Same service name, so it would take over the executions sleeping in the store.
 */
@DurableService({ name: 'trials', executionTimeout: { days: 45 } })
class TrialServiceWithRenamedStep {
  @Workflow()
  async start(ctx: DurableContext, request: TrialRequest) {
    await this.beginTrial(request.accountId, request.plan);
    await ctx.sleep('trial-period', { days: 30 });
    return { accountId: request.accountId, status: 'converted' as const };
  }

  @Step()
  async beginTrial(accountId: string, plan: string): Promise<void> {
    await trialDependencies.billing.activateTrial(accountId, plan);
  }
}

/** The same refactor done safely: the method is renamed, the journal name stays. */
@DurableService({ name: 'trials', executionTimeout: { days: 45 } })
class TrialServiceRenamedSafely {
  @Workflow()
  async start(ctx: DurableContext, request: TrialRequest) {
    await this.beginTrial(request.accountId, request.plan);
    await ctx.sleep('trial-period', { days: 30 });
    return { accountId: request.accountId, status: 'converted' as const };
  }

  @Step({ name: 'activateTrial' })
  async beginTrial(accountId: string, plan: string): Promise<void> {
    await trialDependencies.billing.activateTrial(accountId, plan);
  }
}

describe('TrialSubscriptionService', () => {
  it('sleeps 30 days, then invoices, in no wall time', async () => {
    const runner = new DurableTestRunner({ services: [TrialSubscriptionService], startAt: START });
    const done = await runner.run(TrialSubscriptionService, 'start', request);

    expect(done.output).toEqual({ accountId: 'acc-1', status: 'converted', invoiceId: 'inv-acc-1' });
    expect(runner.now()).toBe(START + 30 * DAY_MS);
    expect(done.operations('trial-period')[0]?.wakeAt).toBe(START + 30 * DAY_MS);
    expect(billed).toEqual(['trial acc-1', 'invoice acc-1 team']);
  });

  it('downgrades an account that added no card during its trial', async () => {
    hasCard = false;
    const runner = new DurableTestRunner({ services: [TrialSubscriptionService], startAt: START });
    const done = await runner.run(TrialSubscriptionService, 'start', request);

    expect(done.output).toEqual({ accountId: 'acc-1', status: 'expired' });
    expect(billed).toEqual(['trial acc-1', 'downgrade acc-1']);
  });

  it('replays a journal exported mid-sleep against this code and a renamed step, then wakes', async () => {
    const runner = new DurableTestRunner({ services: [TrialSubscriptionService], startAt: START });
    const sleeping = await runner.run(TrialSubscriptionService, 'start', request, { until: 'suspended' });
    expect(sleeping.status).toBe('SUSPENDED');
    expect(sleeping.resumeAt).toBe(START + 30 * DAY_MS);
    // What `durable-gen executions export` writes: keep it as a fixture of an execution in flight.
    const midSleep = JSON.stringify(sleeping.export(), null, 2);

    expect(await runner.replay(TrialSubscriptionService, midSleep)).toMatchObject({ compatible: true });
    expect(await runner.replay(TrialServiceRenamedSafely, midSleep)).toMatchObject({ compatible: true });
    const diverged = await runner.replay(TrialServiceWithRenamedStep, midSleep);
    expect(diverged).toMatchObject({ compatible: false, position: '1' });
    expect(diverged.compatible === false && diverged.message).toMatch(/activateTrial/);

    runner.advance({ days: 30 });
    const done = await runner.resume(sleeping.id);
    expect(done.output).toEqual({ accountId: 'acc-1', status: 'converted', invoiceId: 'inv-acc-1' });
    // Replaying ran no step body: the trial was activated once, before the sleep.
    expect(billed).toEqual(['trial acc-1', 'invoice acc-1 team']);
  });
});
