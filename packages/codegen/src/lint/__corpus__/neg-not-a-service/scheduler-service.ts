import { type DurableContext, DurableService, Workflow } from '@durable/core';

/** The app's one durable service (a scan must find one); the classes beside it are not services. */
@DurableService()
export class SchedulerService {
  @Workflow()
  async run(ctx: DurableContext): Promise<number> {
    return ctx.now();
  }
}
