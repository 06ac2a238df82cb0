import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { double } from './math.js';

/** Not a workflow and never called by one. */
function randomName(): string {
  return `user-${Math.random()}`;
}

@DurableService()
export class CalculatorService {
  @Workflow()
  async run(_ctx: DurableContext, input: { n: number }): Promise<number> {
    return double(input.n);
  }

  /** A public method that no workflow calls. */
  describe(): string {
    return `${randomName()} at ${Date.now()}`;
  }
}
