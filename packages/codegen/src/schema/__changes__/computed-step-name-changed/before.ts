import { type DurableContext, DurableService, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await ctx.step(`charge-${input.id}`, async () => input.quantity);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }
}
