import { hrtime } from 'node:process';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class ImportedHrtimeService {
  @Workflow()
  async measure(_ctx: DurableContext): Promise<string> {
    const [seconds] = hrtime(); // expect: nondeterministic-time
    return `${seconds}:${hrtime.bigint()}`; // expect: nondeterministic-time
  }
}
