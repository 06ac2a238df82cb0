import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** The label step is last in the loop body, but the next iteration comes after it. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    for (const item of input.items) {
      await this.pack(item);
      await this.label(item);
    }
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async pack(item: string) {
    return `packed ${item}`;
  }

  @Step()
  async label(item: string) {
    return `labelled ${item}`;
  }
}
