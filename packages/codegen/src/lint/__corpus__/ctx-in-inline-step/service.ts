import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class InlineStepService {
  @Workflow()
  async run(ctx: DurableContext): Promise<number> {
    const at = await ctx.step('load', async () => {
      await ctx.sleep('inside', { seconds: 1 }); // expect: ctx-in-step
      return Date.now();
    });
    const token = await ctx.waitForCallback<string>('approval', async () => {
      await ctx.random(); // expect: ctx-in-step
    });
    return at + token.length;
  }
}
