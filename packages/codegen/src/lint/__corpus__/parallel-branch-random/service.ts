import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class FanOutService {
  @Workflow()
  async fan(ctx: DurableContext): Promise<number[]> {
    return ctx.parallel('fan', [
      async () => Math.random(), // expect: nondeterministic-random
      async (c) => c.now(),
      async (c) => c.step('safe', () => Math.random()),
    ]);
  }
}
