import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { loadAll, processItem } from './items.js';

function jitter(value: number): number {
  return value + Math.random(); // expect: nondeterministic-random via ReferenceService.run → jitter
}

@DurableService()
export class ReferenceService {
  @Workflow()
  async run(ctx: DurableContext, input: { values: number[]; items: string[] }): Promise<number> {
    const spread = input.values.map(jitter);
    const noise = input.values.map(Math.random); // expect: nondeterministic-random
    const loaded = await ctx.step('load', loadAll);
    const processed = await ctx.map('process', input.items, processItem);
    return spread.length + noise.length + loaded + processed.length;
  }
}
