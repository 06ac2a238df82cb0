import type { randomUUID } from 'node:crypto';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

type Clock = ReturnType<typeof Date.now>;
type IdMaker = typeof randomUUID;
interface Timer {
  now(): number;
  sleep: typeof setTimeout;
}

@DurableService()
export class TypedService {
  @Workflow()
  async run(_ctx: DurableContext, input: { at: Clock; make?: IdMaker; timer?: Timer }): Promise<number> {
    const random: typeof Math.random | undefined = undefined;
    const fetcher = undefined as unknown as typeof fetch;
    return input.at + (random === undefined ? 0 : 1) + (fetcher === undefined ? 0 : 1);
  }
}
