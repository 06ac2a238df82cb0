import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { greet } from './greeting.js';

@DurableService()
export class GreeterService {
  @Workflow()
  async run(_ctx: DurableContext, input: { name: string }): Promise<string> {
    return greet(input.name);
  }
}
