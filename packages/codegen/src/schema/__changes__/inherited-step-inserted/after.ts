import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import type { Order } from '../order.js';

/** Steps every service of the app shares. */
class AuditedService {
  @Step()
  async audit(id: string) {
    return `audited ${id}`;
  }
}

@DurableService({ name: 'orders' })
export class OrderService extends AuditedService {
  /** Audits the order before the hold, with the step the base class declares. */
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await this.audit(input.id);
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }
}
