import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class BatchService {
  @Workflow()
  async stampAll(ctx: DurableContext, input: { items: string[] }): Promise<string[]> {
    return ctx.map('stamp', input.items, async (item, _index, c) => {
      await c.sleep(`pause-${item}`, { seconds: 1 });
      return `${item}@${Date.now()}`; // expect: nondeterministic-time
    });
  }
}
