import { type DurableContext, Workflow } from '@durable/core';

/** Not decorated @DurableService: its methods are ordinary code. */
export class PlainScheduler {
  @Workflow()
  async run(_ctx: DurableContext): Promise<number> {
    return Date.now() + Math.random();
  }
}

export class Metrics {
  record(): number {
    return performance.now();
  }
}
