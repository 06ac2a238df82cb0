import { type DurableContext, DurableService, Workflow } from '@durable/core';
import type { Order } from '../order.js';

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async run(ctx: DurableContext, input: Order) {
    await ctx.invoke({ service: 'mail', workflow: 'send' }, { to: input.sku });
    await ctx.sleep('hold', { days: 1 });
    return input.id;
  }
}

@DurableService({ name: 'mail' })
export class MailService {
  @Workflow()
  async send(_ctx: DurableContext, message: { to: string }) {
    return `sent to ${message.to}`;
  }

  @Workflow()
  async post(_ctx: DurableContext, message: { to: string }) {
    return `posted to ${message.to}`;
  }
}
