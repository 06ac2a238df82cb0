import * as nodeCrypto from 'node:crypto';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class NamespaceCryptoService {
  @Workflow()
  async open(_ctx: DurableContext): Promise<string> {
    const digest = nodeCrypto.createHash('sha256').update('fixed').digest('hex');
    return digest + nodeCrypto.randomBytes(8).toString('hex'); // expect: nondeterministic-random
  }
}
