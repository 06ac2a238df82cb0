import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class TimingService {
  @Workflow()
  async measure(_ctx: DurableContext): Promise<number> {
    const start = performance.now(); // expect: nondeterministic-time
    return start > 1000 ? 1 : 0;
  }
}
