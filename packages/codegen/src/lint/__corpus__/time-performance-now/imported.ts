import { performance } from 'node:perf_hooks';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class PerfHooksService {
  @Workflow()
  async measure(_ctx: DurableContext): Promise<number> {
    return performance.now(); // expect: nondeterministic-time
  }
}
