/**
 * A long sleep: a free trial lasts 30 days, then the account is converted to a paid plan. The execution sleeps
 * in the store, not in a Lambda: any number of deploys may happen during those 30 days, and the execution resumes
 * on whatever code is deployed when it wakes. That code must replay the journal written before the sleep, so a
 * step that executions already recorded keeps its name (`@Step({ name })` keeps it when a method is renamed).
 */
import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

export interface TrialRequest {
  accountId: string;
  plan: 'team' | 'business';
}

export interface TrialOutcome {
  accountId: string;
  status: 'converted' | 'expired';
  invoiceId?: string;
}

/** The billing system: it knows whether the account added a card during its trial. */
export interface Billing {
  activateTrial(accountId: string, plan: string): Promise<void>;
  hasPaymentMethod(accountId: string): Promise<boolean>;
  invoice(accountId: string, plan: string): Promise<string>;
  downgrade(accountId: string): Promise<void>;
}

export const trialDependencies: { billing: Billing } = {
  billing: {
    activateTrial: async () => {},
    hasPaymentMethod: async () => true,
    invoice: async (accountId) => `invoice-${accountId}`,
    downgrade: async () => {},
  },
};

// An execution lives 30 days by default: this one sleeps 30 days, so it is given more.
@DurableService({ name: 'trials', executionTimeout: { days: 45 } })
export class TrialSubscriptionService {
  @Workflow()
  async start(ctx: DurableContext, request: TrialRequest): Promise<TrialOutcome> {
    await this.activateTrial(request.accountId, request.plan);
    await ctx.sleep('trial-period', { days: 30 });
    // An inline step: a read that needs no method of its own. Asked after the sleep, not before: whether a card
    // was added is only known at the end of the trial.
    const hasCard = await ctx.step(
      'has-payment-method',
      () => trialDependencies.billing.hasPaymentMethod(request.accountId),
      { retry: { maxAttempts: 5 } },
    );
    if (!hasCard) {
      await this.downgrade(request.accountId);
      return { accountId: request.accountId, status: 'expired' };
    }
    const invoiceId = await this.invoice(request.accountId, request.plan);
    return { accountId: request.accountId, status: 'converted', invoiceId };
  }

  @Step()
  async activateTrial(accountId: string, plan: string): Promise<void> {
    await trialDependencies.billing.activateTrial(accountId, plan);
  }

  @Step({ semantics: 'at-most-once' })
  async invoice(accountId: string, plan: string): Promise<string> {
    return trialDependencies.billing.invoice(accountId, plan);
  }

  @Step()
  async downgrade(accountId: string): Promise<void> {
    await trialDependencies.billing.downgrade(accountId);
  }
}
