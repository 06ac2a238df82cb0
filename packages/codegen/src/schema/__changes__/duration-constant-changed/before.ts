import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

/** How long an order is held before it ships. */
const HOLD = { days: 1 };

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    await ctx.sleep('hold', HOLD);
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }
}
