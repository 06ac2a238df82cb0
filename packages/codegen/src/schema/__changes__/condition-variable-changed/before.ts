import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    const priority = input.vip;
    if (priority) await this.bonus(input.id);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async bonus(id: string) {
    return `bonus for ${id}`;
  }
}
