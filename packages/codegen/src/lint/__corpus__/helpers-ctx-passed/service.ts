import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { pause } from './pause.js';

type Ctx = DurableContext;

/** Its parameter is not typed DurableContext, but the workflow passes its context in. */
async function tick(c: Ctx): Promise<number> {
  return c.step('tick', () => Date.now());
}

@DurableService()
export class PoliteService {
  @Workflow()
  async run(ctx: DurableContext): Promise<number> {
    await pause(ctx, 'first');
    return tick(ctx);
  }
}
