import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

interface RequestContext {
  sleep(ms: number): Promise<void>;
  now(): number;
}

@DurableService()
export class ParamService {
  @Workflow()
  async run(ctx: DurableContext, input: { ctx: RequestContext }): Promise<number> {
    await ctx.sleep('first', { seconds: 1 });
    return this.work(input.ctx);
  }

  /** Its `ctx` is not a DurableContext: calling it is fine. */
  @Step()
  async work(ctx: RequestContext): Promise<number> {
    await ctx.sleep(10);
    return ctx.now() + this.helper();
  }

  private helper(): number {
    return 1;
  }
}
