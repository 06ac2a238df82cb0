import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class InlineService {
  @Workflow()
  async run(ctx: DurableContext, input: { url: string }): Promise<string> {
    const at = await ctx.step('now', () => Date.now());
    const status = await ctx.step('fetch', async () => {
      const response = await fetch(input.url);
      return response.status;
    });
    const weight = await ctx.step('weight', () => this.weigh());
    await ctx.waitForCallback('approval', async (token) => {
      await fetch(`${input.url}?token=${token}`);
    });
    return `${at}-${status}-${weight}`;
  }

  /** Reached only from inside ctx.step: runs as part of the step. */
  private weigh(): number {
    return Math.random();
  }
}
