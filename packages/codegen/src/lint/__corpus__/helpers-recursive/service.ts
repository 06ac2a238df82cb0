import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { even } from './parity.js';

function countdown(n: number): number {
  if (n <= 0) return Date.now(); // expect: nondeterministic-time via LoopService.run → countdown
  return countdown(n - 1);
}

@DurableService()
export class LoopService {
  @Workflow()
  async run(_ctx: DurableContext, input: { n: number }): Promise<number> {
    return countdown(input.n) + (even(input.n) ? 1 : 0);
  }
}
