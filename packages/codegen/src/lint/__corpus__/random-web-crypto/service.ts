import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class TokenService {
  @Workflow()
  async issue(_ctx: DurableContext): Promise<string[]> {
    const id = crypto.randomUUID(); // expect: nondeterministic-random
    const bytes = crypto.getRandomValues(new Uint8Array(8)); // expect: nondeterministic-random
    const other = globalThis.crypto.randomUUID(); // expect: nondeterministic-random
    return [id, bytes.join(','), other];
  }
}
