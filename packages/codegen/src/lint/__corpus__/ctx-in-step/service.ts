import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

@DurableService()
export class ShipmentService {
  @Workflow()
  async ship(ctx: DurableContext, input: { id: string }): Promise<number> {
    return this.book(ctx, input.id);
  }

  @Step()
  async book(ctx: DurableContext, id: string): Promise<number> {
    await ctx.sleep('carrier-cooldown', { seconds: 5 }); // expect: ctx-in-step
    ctx.logger.info('booking', { id });
    return ctx.now(); // expect: ctx-in-step
  }
}
