import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** An execution waiting for the approval recorded the one-hour timeout. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.reserve(input.id);
    await ctx.waitForCallback('approval', () => {}, { timeout: { hours: 2 } });
    return input.id;
  }

  @Step()
  async reserve(id: string) {
    return `reserved ${id}`;
  }
}
