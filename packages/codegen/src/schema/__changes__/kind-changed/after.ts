import { type DurableContext, DurableService, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** The pause became a durable sleep of the same name. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await ctx.sleep('pause', { seconds: 1 });
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }
}
