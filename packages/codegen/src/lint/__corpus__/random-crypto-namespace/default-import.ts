import { type DurableContext, DurableService, Workflow } from '@durable/core';
import crypto from 'crypto';

@DurableService()
export class DefaultCryptoService {
  @Workflow()
  async open(_ctx: DurableContext): Promise<string> {
    return crypto.randomUUID(); // expect: nondeterministic-random
  }
}
