import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class SessionService {
  @Workflow()
  async open(_ctx: DurableContext): Promise<string[]> {
    const id = randomUUID(); // expect: nondeterministic-random
    const salt = randomBytes(16).toString('hex'); // expect: nondeterministic-random
    const shard = randomInt(10); // expect: nondeterministic-random
    return [id, salt, String(shard)];
  }
}
