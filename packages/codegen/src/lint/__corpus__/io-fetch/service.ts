import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class WebhookService {
  @Workflow()
  async deliver(_ctx: DurableContext, input: { url: string }): Promise<number> {
    const response = await fetch(input.url, { method: 'POST' }); // expect: io-outside-step
    const again = await globalThis.fetch(input.url); // expect: io-outside-step
    return response.status + again.status;
  }
}
