import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { nanoid } from 'nanoid';

@DurableService()
export class ShortLinkService {
  @Workflow()
  async shorten(_ctx: DurableContext, input: { url: string }): Promise<string> {
    const slug = nanoid(); // expect: nondeterministic-random
    return `${input.url}#${slug}${nanoid(4)}`; // expect: nondeterministic-random
  }
}
