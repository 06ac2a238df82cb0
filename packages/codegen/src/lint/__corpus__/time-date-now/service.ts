import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

@DurableService()
export class ClockService {
  @Workflow()
  async run(ctx: DurableContext, input: { deadline: number }): Promise<boolean> {
    const startedAt = Date.now(); // expect: nondeterministic-time
    await ctx.sleep('settle', { seconds: 1 });
    await this.record(Date.now()); // expect: nondeterministic-time
    return startedAt < input.deadline;
  }

  @Step()
  async record(at: number): Promise<number> {
    return at;
  }
}
