import { CallbackFailedError, CallbackTimeoutError } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ExpenseApprovalService, type ExpenseReport, expenseDependencies } from '../src/expense-approval.js';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const DAY_MS = 86_400_000;
const report: ExpenseReport = { reportId: 'r-7', employee: 'ada', manager: 'grace', amountCents: 12_50 };

let asked: { approver: string; reportId: string; token: string; answerBy: Date }[];
let reimbursed: string[];

beforeEach(() => {
  asked = [];
  reimbursed = [];
  expenseDependencies.inbox = {
    ask: async (approver, reportId, token, answerBy) => void asked.push({ approver, reportId, token, answerBy }),
  };
  expenseDependencies.payroll = {
    reimburse: async (employee, amountCents, reportId) => {
      reimbursed.push(`${employee} ${amountCents} ${reportId}`);
      return `payment-${reportId}`;
    },
  };
});

describe('ExpenseApprovalService', () => {
  it('waits for the manager, then reimburses once', async () => {
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    const waiting = await runner.run(ExpenseApprovalService, 'submit', report);
    expect(waiting.status).toBe('SUSPENDED');
    expect(waiting.callback('manager-approval')?.timeoutAt).toBe(START + 3 * DAY_MS);
    expect(asked.map((a) => [a.approver, a.answerBy])).toEqual([['grace', new Date(START + 3 * DAY_MS)]]);

    // The manager answers through the token the email carried.
    const done = await runner.completeCallback(asked[0]!.token, { approved: true, by: 'grace' });
    expect(done.output).toEqual({ status: 'reimbursed', decidedBy: 'grace' });
    expect(reimbursed).toEqual(['ada 1250 r-7']);
  });

  it('escalates to finance when the manager does not answer within three days', async () => {
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    const waiting = await runner.run(ExpenseApprovalService, 'submit', report);

    runner.advance({ days: 3 });
    const escalated = await runner.resume(waiting.id);
    expect(escalated.pendingCallbacks.map((c) => c.name)).toEqual(['finance-approval']);
    expect(escalated.operations('manager-approval')[0]?.error).toBeInstanceOf(CallbackTimeoutError);
    expect(asked.map((a) => a.approver)).toEqual(['grace', 'finance']);
    // The deadline comes from the recorded submission time, not from when the escalation ran.
    expect(asked[1]?.answerBy).toEqual(new Date(START + 10 * DAY_MS));

    const done = await runner.completeCallback('finance-approval', { approved: false, by: 'finance' });
    expect(done.output).toEqual({ status: 'rejected', decidedBy: 'finance' });
    expect(reimbursed).toEqual([]);
  });

  it('fails when finance does not answer either', async () => {
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    const waiting = await runner.run(ExpenseApprovalService, 'submit', report);
    runner.advance({ days: 3 });
    await runner.resume(waiting.id);
    runner.advance({ days: 7 });

    const timedOut = await runner.resume(waiting.id);
    expect(timedOut.status).toBe('FAILED');
    expect(timedOut.error).toBeInstanceOf(CallbackTimeoutError);
    expect((timedOut.error as CallbackTimeoutError).callbackName).toBe('finance-approval');
  });

  it('fails with what the approval system reported when it fails the callback', async () => {
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    await runner.run(ExpenseApprovalService, 'submit', report);

    const failed = await runner.failCallback('manager-approval', new Error('report r-7 was withdrawn'));
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBeInstanceOf(CallbackFailedError);
    expect((failed.error as CallbackFailedError).reported.message).toBe('report r-7 was withdrawn');
    expect(reimbursed).toEqual([]);
  });

  it('retries a payroll outage without asking the manager again', async () => {
    let outages = 2;
    const reimburse = expenseDependencies.payroll.reimburse;
    expenseDependencies.payroll.reimburse = async (...args) => {
      if (outages-- > 0) throw new Error('payroll unavailable');
      return reimburse(...args);
    };
    const runner = new DurableTestRunner({ services: [ExpenseApprovalService], startAt: START });
    await runner.run(ExpenseApprovalService, 'submit', report);

    const done = await runner.completeCallback('manager-approval', { approved: true, by: 'grace' });
    expect(done.output).toEqual({ status: 'reimbursed', decidedBy: 'grace' });
    expect(done.step('reimburse')?.attempts).toBe(3);
    expect(asked).toHaveLength(1);
    expect(reimbursed).toEqual(['ada 1250 r-7']);
  });
});
