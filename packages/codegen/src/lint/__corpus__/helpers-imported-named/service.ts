import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { backoff } from './retry.js';

@DurableService()
export class RetryService {
  @Workflow()
  async retry(ctx: DurableContext, input: { attempt: number }): Promise<void> {
    await ctx.sleep('backoff', { ms: backoff(input.attempt) });
  }
}
