import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** Nothing follows the `if`: the new step comes after everything recorded. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    if (input.express) {
      await ctx.sleep('hold', { days: 1 });
      await this.notify(input.id);
    }
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
