import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import { ReceiptServiceClient } from '../generated/clients/receipts.js';

export interface Order {
  id: string;
  cents: number;
}

/** Asks a manager by email; what the callback's token reaches is the approval page. */
async function askManager(orderId: string, token: string): Promise<void> {
  await fetch('https://approvals.example.com/requests', {
    method: 'POST',
    body: JSON.stringify({ orderId, token }),
  });
}

/** Charges an order once a manager approved it, then has its receipt issued: on Lambda durable functions. */
@DurableService({
  name: 'payments',
  backend: 'lambda-durable',
  executionTimeout: { days: 7 },
  retention: { days: 14 },
})
export class PaymentService {
  @Workflow()
  async charge(ctx: DurableContext, order: Order): Promise<{ chargeId: string; receipt: string } | null> {
    const hold = await this.reserve(order);
    const approval = await ctx.waitForCallback<{ approved: boolean }>(
      'manager-approval',
      (token) => askManager(order.id, token),
      { timeout: { hours: 24 } },
    );
    if (!approval.approved) return null;
    await ctx.sleep('settle', { seconds: 30 });
    const chargeId = await this.capture(hold);
    const receipt = await ReceiptServiceClient.issue(ctx, { orderId: order.id, chargeId });
    return { chargeId, receipt: receipt.number };
  }

  @Step({ retry: { maxAttempts: 4, initialDelayMs: 2_000, backoffRate: 2, maxDelayMs: 30_000, jitter: 'full' } })
  async reserve(order: Order): Promise<string> {
    return `hold-${order.id}-${order.cents}`;
  }

  @Step({ semantics: 'at-most-once' })
  async capture(hold: string): Promise<string> {
    return hold.replace('hold-', 'charge-');
  }
}
