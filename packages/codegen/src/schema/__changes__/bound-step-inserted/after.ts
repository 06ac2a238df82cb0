import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  /** Packs each item through a bound alias of the step method before the hold. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    const pack = this.pack.bind(this);
    await pack(input.sku);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }

  @Step()
  async pack(item: string) {
    return `packed ${item}`;
  }
}
