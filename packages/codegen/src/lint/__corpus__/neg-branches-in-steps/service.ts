import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class SafeFanOutService {
  @Workflow()
  async fan(ctx: DurableContext, input: { urls: string[] }): Promise<unknown[]> {
    const picked = await ctx.parallel('pick', [
      (c) => c.step('a', () => Math.random()),
      async (branch) => branch.step('b', async () => new Date().getDay()),
    ]);
    const fetched = await ctx.map('fetch', input.urls, (url, _i, c) =>
      c.step(`fetch-${url}`, async () => (await fetch(url)).status),
    );
    return [...picked, ...fetched];
  }
}
