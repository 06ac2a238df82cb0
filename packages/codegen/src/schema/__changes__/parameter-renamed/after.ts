import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, order: Order) {
    await this.reserve(order.id);
    await ctx.sleep('hold', { days: 1 });
    return order.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }
}
