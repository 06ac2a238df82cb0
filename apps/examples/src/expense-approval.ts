/**
 * A callback with a timeout: an expense report waits for its manager's decision, and escalates to finance when
 * the manager has not answered within three days. While it waits the execution is suspended: no Lambda runs, and
 * nothing is billed, however long the answer takes.
 */
import { CallbackTimeoutError, type DurableContext, DurableService, Step, Workflow } from '@durable/core';

export interface ExpenseReport {
  reportId: string;
  employee: string;
  manager: string;
  amountCents: number;
}

export interface Decision {
  approved: boolean;
  by: string;
}

export interface ExpenseOutcome {
  status: 'reimbursed' | 'rejected';
  decidedBy: string;
}

/** Where approval requests go: an email or chat message carrying the token that answers it. */
export interface ApprovalInbox {
  ask(approver: string, reportId: string, token: string, answerBy: Date): Promise<void>;
}

/** The payroll system that pays the money back. */
export interface Payroll {
  reimburse(employee: string, amountCents: number, reportId: string): Promise<string>;
}

/**
 * The service's collaborators. A service class has no constructor arguments (the handler creates it), so its
 * dependencies are module state a test replaces; your own code may read them from a container instead.
 */
export const expenseDependencies: { inbox: ApprovalInbox; payroll: Payroll } = {
  inbox: { ask: async () => {} },
  payroll: { reimburse: async (_employee, _amount, reportId) => `payment-${reportId}` },
};

@DurableService({ name: 'expenses' })
export class ExpenseApprovalService {
  @Workflow()
  async submit(ctx: DurableContext, report: ExpenseReport): Promise<ExpenseOutcome> {
    // Recorded: an email sent again after a crash shows the same deadline, and so does every replay.
    const submittedAt = await ctx.now();
    let decision: Decision;
    try {
      decision = await ctx.waitForCallback<Decision>(
        'manager-approval',
        // Runs again if the invocation dies before the wait is recorded: a second identical email is harmless.
        (token) => expenseDependencies.inbox.ask(report.manager, report.reportId, token, daysAfter(submittedAt, 3)),
        { timeout: { days: 3 } },
      );
    } catch (error) {
      if (!(error instanceof CallbackTimeoutError)) throw error;
      // Nobody answered in time: finance decides instead, and has a week.
      decision = await ctx.waitForCallback<Decision>(
        'finance-approval',
        (token) => expenseDependencies.inbox.ask('finance', report.reportId, token, daysAfter(submittedAt, 10)),
        { timeout: { days: 7 } },
      );
    }
    if (!decision.approved) return { status: 'rejected', decidedBy: decision.by };
    await this.reimburse(report);
    return { status: 'reimbursed', decidedBy: decision.by };
  }

  // The report id travels to payroll as its reference, so a repeated attempt is recognised there.
  @Step({ retry: { maxAttempts: 5, initialDelayMs: 1_000 } })
  async reimburse(report: ExpenseReport): Promise<string> {
    return expenseDependencies.payroll.reimburse(report.employee, report.amountCents, report.reportId);
  }
}

function daysAfter(epochMs: number, days: number): Date {
  return new Date(epochMs + days * 86_400_000);
}
