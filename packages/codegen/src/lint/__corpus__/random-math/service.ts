import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class DiceService {
  @Workflow()
  async roll(_ctx: DurableContext, input: { players: string[] }): Promise<number[]> {
    const first = Math.floor(Math.random() * 6); // expect: nondeterministic-random
    // Callbacks run in the workflow too.
    const others = input.players.map(() => Math.random()); // expect: nondeterministic-random
    return [first, ...others];
  }
}
