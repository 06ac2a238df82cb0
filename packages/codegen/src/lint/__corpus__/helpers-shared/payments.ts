import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { reference } from './shared.js';

@DurableService()
export class PaymentService {
  @Workflow()
  async pay(_ctx: DurableContext, input: { id: string }): Promise<string> {
    return reference(input.id);
  }
}
