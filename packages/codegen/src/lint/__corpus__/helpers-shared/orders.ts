import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { reference } from './shared.js';

@DurableService()
export class OrderService {
  @Workflow()
  async place(_ctx: DurableContext, input: { id: string }): Promise<string> {
    return reference(input.id) + reference(`${input.id}-again`);
  }

  @Workflow()
  async cancel(_ctx: DurableContext, input: { id: string }): Promise<string> {
    return reference(input.id);
  }
}
