import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class MislabeledService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<number> {
    // durable-ignore nondeterministic-random the time is only logged
    const at = Date.now(); // expect: nondeterministic-time
    const r = Math.random(); /* expect: nondeterministic-random */ // durable-ignore io-outside-step not I/O at all
    return at + r;
  }
}
