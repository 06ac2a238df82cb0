import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class LazyService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<number> {
    /* expect: suppression-without-reason */ // durable-ignore nondeterministic-time
    const at = Date.now();
    const r = Math.random(); /* expect: suppression-without-reason */ // durable-ignore nondeterministic-random
    return at + r;
  }
}
