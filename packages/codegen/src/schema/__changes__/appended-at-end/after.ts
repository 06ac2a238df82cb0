import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** A notification once the hold is over: after everything the old code can record. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    await ctx.sleep('hold', { days: 1 });
    await this.notify(input.id);
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }

  @Step()
  async notify(id: string) {
    return `notified ${id}`;
  }
}
