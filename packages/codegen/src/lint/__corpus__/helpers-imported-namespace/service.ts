import { type DurableContext, DurableService, Workflow } from '@durable/core';
import * as helpers from './helpers.js';

@DurableService()
export class LedgerService {
  @Workflow()
  async post(_ctx: DurableContext, input: { amount: number }): Promise<string> {
    return `${helpers.format(input.amount)}@${helpers.stamp()}`;
  }
}
