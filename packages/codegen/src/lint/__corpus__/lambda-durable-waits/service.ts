import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Waits the service on backend lambda-durable cannot keep as written: less than a second, or not whole seconds. */
@DurableService({ backend: 'lambda-durable' })
export class PollingService {
  @Workflow()
  async poll(ctx: DurableContext, input: { id: string }): Promise<string> {
    await ctx.sleep('blink', { ms: 250 }); // expect: unsupported-wait
    await ctx.sleep('nothing', { seconds: 0 }); // expect: unsupported-wait
    await ctx.sleep('breath', { seconds: 1, ms: 500 }); // expect: rounded-wait
    await ctx.sleep('fraction', { seconds: 2.5 }); // expect: rounded-wait
    const answer = await ctx.waitForCallback<string>('answer', (token) => console.log(token), {
      timeout: { ms: 800 }, // expect: unsupported-wait
    });
    await ctx.step('probe', async () => answer.length, {
      retry: { maxAttempts: 3, initialDelayMs: 500 }, // expect: rounded-retry-delay
    });
    await ctx.parallel('both', [async (c) => c.sleep('short', { ms: 10 })]); // expect: unsupported-wait
    await this.check(input.id);
    return answer;
  }

  @Step({ retry: { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 2_500 } }) // expect: rounded-retry-delay
  async check(id: string): Promise<boolean> {
    return id !== '';
  }
}
