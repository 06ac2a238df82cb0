/**
 * The examples under `node:test` and `node:assert`, as a project that does not use vitest tests them: the
 * testing kit needs no framework and fakes no timers. From the repository's root:
 * `TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=source --import tsx --test apps/examples/test/examples.node-test.ts`
 * (`node-test.test.ts` runs it so in `npm test`).
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { CallbackTimeoutError } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { ExpenseApprovalService, expenseDependencies } from '../src/expense-approval.js';
import { PaymentService, paymentDependencies } from '../src/payment.js';
import { TrialSubscriptionService, trialDependencies } from '../src/trial-subscription.js';

const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY_MS = 86_400_000;

describe('the examples under node:test', () => {
  let sideEffects: string[];

  beforeEach(() => {
    sideEffects = [];
    expenseDependencies.inbox = { ask: async (approver) => void sideEffects.push(`ask ${approver}`) };
    expenseDependencies.payroll = {
      reimburse: async (employee, amountCents) => {
        sideEffects.push(`reimburse ${employee} ${amountCents}`);
        return 'payment-1';
      },
    };
    const charged = new Map<string, { chargeId: string; idempotencyKey: string; amountCents: number }>();
    paymentDependencies.provider = {
      charge: async (_customerId, amountCents, idempotencyKey) => {
        sideEffects.push(`charge ${idempotencyKey}`);
        const charge = charged.get(idempotencyKey) ?? {
          chargeId: `ch_${charged.size + 1}`,
          idempotencyKey,
          amountCents,
        };
        charged.set(idempotencyKey, charge);
        return charge;
      },
      findCharge: async (idempotencyKey) => charged.get(idempotencyKey),
    };
    trialDependencies.billing = {
      activateTrial: async (accountId) => void sideEffects.push(`trial ${accountId}`),
      hasPaymentMethod: async () => true,
      invoice: async (accountId) => {
        sideEffects.push(`invoice ${accountId}`);
        return `inv-${accountId}`;
      },
      downgrade: async () => {},
    };
  });

  it('expense approval: escalates after three days without an answer', async () => {
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    const report = { reportId: 'r-1', employee: 'ada', manager: 'grace', amountCents: 900 };
    const waiting = await runner.run(ExpenseApprovalService, 'submit', report);
    runner.advance({ days: 3 });
    const escalated = await runner.resume(waiting.id);
    assert.ok(escalated.operations('manager-approval')[0]?.error instanceof CallbackTimeoutError);

    const done = await runner.completeCallback('finance-approval', { approved: true, by: 'finance' });
    assert.deepEqual(done.output, { status: 'reimbursed', decidedBy: 'finance' });
    assert.deepEqual(sideEffects, ['ask grace', 'ask finance', 'reimburse ada 900']);
  });

  it('payment: one charge, with one idempotency key, across a crash inside the charge', async () => {
    const runner = new DurableTestRunner({ services: [PaymentService] });
    const request = { orderId: 'o-1', customerId: 'cus_1', amountCents: 4900 };
    const crashed = await runner.run(PaymentService, 'pay', request, { crash: { beforeCheckpoint: 'charge' } });
    const key = crashed.at(1)?.result;

    const done = await runner.resume(crashed.id);
    assert.deepEqual(done.output, { chargeId: 'ch_1', idempotencyKey: key, amountCents: 4900 });
    assert.deepEqual(sideEffects, [`charge ${key}`]);
  });

  it('trial: sleeps 30 days and replays its mid-sleep journal', async () => {
    const runner = new DurableTestRunner({ services: [TrialSubscriptionService], startAt: START });
    const request = { accountId: 'acc-1', plan: 'team' as const };
    const sleeping = await runner.run(TrialSubscriptionService, 'start', request, { until: 'suspended' });
    const verdict = await runner.replay(TrialSubscriptionService, JSON.stringify(sleeping.export()));
    assert.equal(verdict.compatible, true);

    runner.advance({ days: 30 });
    const done = await runner.resume(sleeping.id);
    assert.equal(runner.now(), START + 30 * DAY_MS);
    assert.deepEqual(done.output, { accountId: 'acc-1', status: 'converted', invoiceId: 'inv-acc-1' });
    assert.deepEqual(sideEffects, ['trial acc-1', 'invoice acc-1']);
  });
});
