import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** Express orders no longer wait: an early return, which records nothing itself. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    if (input.express) return input.id;
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }
}
