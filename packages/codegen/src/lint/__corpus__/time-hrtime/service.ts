import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class HrtimeService {
  @Workflow()
  async measure(_ctx: DurableContext): Promise<string> {
    const [seconds] = process.hrtime(); // expect: nondeterministic-time
    const nanos = process.hrtime.bigint(); // expect: nondeterministic-time
    return `${seconds}:${nanos}`;
  }
}
