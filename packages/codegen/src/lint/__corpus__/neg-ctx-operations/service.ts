import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class RecordedService {
  @Workflow()
  async run(ctx: DurableContext): Promise<string> {
    const now = await ctx.now();
    const roll = await ctx.random();
    const id = await ctx.uuid();
    await ctx.sleep('cool-down', { seconds: 30 });
    ctx.logger.info('recorded values', { now, roll, id });
    return `${ctx.executionId}-${now}-${roll}-${id}`;
  }
}
