import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    const amount = input.quantity * 10;
    await this.charge(input.id, amount);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async charge(id: string, amount: number) {
    return `charged ${id} ${amount}`;
  }
}
