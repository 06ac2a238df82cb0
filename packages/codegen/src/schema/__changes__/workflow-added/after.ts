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

  /** A new workflow: no execution of it exists yet. */
  @Workflow()
  async refund(_ctx: DurableContext, input: Order) {
    await this.charge(input.id);
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }

  @Step()
  async charge(id: string) {
    return `charged ${id}`;
  }
}
