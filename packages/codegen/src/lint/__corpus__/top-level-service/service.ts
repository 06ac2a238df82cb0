import { randomUUID } from 'node:crypto';
import { type DurableContext, DurableService, Workflow } from '@durable/core';

const bootedAt = Date.now(); // expect: nondeterministic-time
export const instanceId = randomUUID(); // expect: nondeterministic-random
const config = await fetch('https://config.example.com/app.json'); // expect: io-outside-step
setInterval(() => console.log('alive'), 60_000); // expect: timer-outside-sleep

function makeSeed(): number {
  return Math.random(); // expect: nondeterministic-random via service.ts → makeSeed
}

const seed = makeSeed();

(async () => {
  await fetch('https://example.com/warm-up'); // expect: io-outside-step
})();

@DurableService()
export class BootService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<string> {
    return `${bootedAt}-${instanceId}-${config.status}-${seed}`;
  }
}
