import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** The first branch now notifies after reserving. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await ctx.parallel<unknown>('fan', [
      async () => {
        await this.reserve(input.id);
        return this.notify(input.id);
      },
      async (branch) => branch.sleep('hold', { days: 1 }),
    ]);
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
