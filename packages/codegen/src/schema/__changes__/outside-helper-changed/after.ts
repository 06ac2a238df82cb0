import { type DurableContext, DurableService, Workflow } from '@durable/core';
import type { Order } from '../order.js';

/** Shared by several workflows, so it lives outside the class. It now also logs the audit. */
async function audit(ctx: DurableContext, id: string): Promise<void> {
  await ctx.step('audit', async () => `audited ${id}`);
  await ctx.step('log', async () => `logged ${id}`);
}

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await audit(ctx, input.id);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }
}
