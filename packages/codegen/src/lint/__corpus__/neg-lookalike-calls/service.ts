import { createHash } from 'node:crypto';
import path from 'node:path';
import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { v5 } from 'uuid';

const NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

interface Channel {
  send(message: string): void;
}

@DurableService()
export class LookalikeService {
  private readonly clock = { now: (): number => 0 };

  @Workflow()
  async run(_ctx: DurableContext, input: { name: string; channel: Channel }): Promise<string> {
    const stable = v5(input.name, NAMESPACE);
    const digest = createHash('sha256').update(input.name).digest('hex');
    input.channel.send(stable);
    const when = this.clock.now();
    const floor = Math.floor(Math.max(1, 2.5));
    const file = path.join('/data', input.name);
    const dates = [input.name].map((name) => Date.parse(name));
    return [stable, digest, when, floor, file, dates.join(','), process.env.STAGE].join('|');
  }
}
