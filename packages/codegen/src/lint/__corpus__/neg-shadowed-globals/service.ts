import { type DurableContext, DurableService, Workflow } from '@durable/core';

interface Deps {
  fetch: (url: string) => Promise<number>;
}

/** A local function named like a timer: it is the one called. */
function setTimeout(label: string): string {
  return `timer:${label}`;
}

@DurableService()
export class ShadowService {
  @Workflow()
  async run(_ctx: DurableContext, input: { url: string; deps: Deps }): Promise<string> {
    const fetch = (url: string): number => url.length;
    // biome-ignore lint/suspicious/noShadowRestrictedNames: a local Date that shadows the global is the point
    const Date = { now: (): number => 0 };
    const length = fetch(input.url) + Date.now();
    return `${length}-${setTimeout('x')}-${await this.load(input)}`;
  }

  private async load(input: { url: string; deps: Deps }): Promise<number> {
    const { fetch } = input.deps;
    return fetch(input.url);
  }
}
