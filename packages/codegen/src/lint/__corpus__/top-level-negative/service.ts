import { type DurableContext, DurableService, Workflow } from '@durable/core';

/** Declared at the top level, but never called by workflow code: a function body runs only when called. */
export const later = () => Date.now();

export function whenCalled(): number {
  return Math.random();
}

const epoch = new Date(0);
const limits = { maxItems: 10, startedAt: Date.UTC(2024, 0, 1) };
const handlers = [() => fetch('https://example.com')];

function shutdown(): void {
  console.log('stopped at', Date.now());
}

// Registered for later, not run at load.
process.on('SIGTERM', shutdown);

@DurableService()
export class QuietService {
  @Workflow()
  async run(_ctx: DurableContext): Promise<number> {
    return epoch.getTime() + limits.maxItems + handlers.length;
  }
}
