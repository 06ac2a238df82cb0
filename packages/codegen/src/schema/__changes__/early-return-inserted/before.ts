import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }
}
