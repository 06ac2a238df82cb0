import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    for (const item of input.items) {
      await this.pack(item);
    }
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async pack(item: string) {
    return `packed ${item}`;
  }
}
