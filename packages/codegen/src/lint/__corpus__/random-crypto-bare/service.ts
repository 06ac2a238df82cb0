import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { randomUUID as makeId, randomBytes, randomInt } from 'crypto';

@DurableService()
export class LegacyCryptoService {
  @Workflow()
  async open(_ctx: DurableContext): Promise<string[]> {
    const id = makeId(); // expect: nondeterministic-random
    const salt = randomBytes(4).toString('hex'); // expect: nondeterministic-random
    return [id, salt, String(randomInt(1, 7))]; // expect: nondeterministic-random
  }
}
