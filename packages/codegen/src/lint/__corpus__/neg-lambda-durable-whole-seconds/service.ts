import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

const PAUSE = { ms: 10 };

/** Whole seconds of at least 1 everywhere, and durations that are not literals (left to the run). */
@DurableService({ name: 'steady', backend: 'lambda-durable' })
export class SteadyService {
  @Workflow()
  async run(ctx: DurableContext, input: { seconds: number }): Promise<void> {
    await ctx.sleep('second', { seconds: 1 });
    await ctx.sleep('minute', { minutes: 1, ms: 0 });
    await ctx.sleep('input', { seconds: input.seconds });
    await ctx.sleep('constant', PAUSE);
    await ctx.waitForCallback('answer', () => undefined, { timeout: { hours: 1 } });
    await ctx.step('probe', async () => 1, { retry: { initialDelayMs: 2_000, maxDelayMs: 60_000 } });
    await this.work();
  }

  @Step({ retry: { maxAttempts: 3, initialDelayMs: 1_000 } })
  async work(): Promise<void> {}
}

/** On the default backend, waits of milliseconds are what the engine keeps. */
@DurableService({ name: 'quick' })
export class QuickService {
  @Workflow()
  async run(ctx: DurableContext): Promise<void> {
    await ctx.sleep('blink', { ms: 250 });
    await this.work();
  }

  @Step({ retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 500 } })
  async work(): Promise<void> {}
}
