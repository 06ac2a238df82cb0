import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Numbers and files receipts, on Lambda durable functions with the default lifetimes. */
@DurableService({ name: 'receipts', backend: 'lambda-durable' })
export class ReceiptService {
  @Workflow()
  async issue(ctx: DurableContext, input: { orderId: string; chargeId: string }): Promise<{ number: string }> {
    const issuedAt = await ctx.now();
    return { number: await this.allocate(input.orderId, issuedAt) };
  }

  @Step()
  async allocate(orderId: string, issuedAt: number): Promise<string> {
    return `R-${orderId}-${issuedAt}`;
  }
}
