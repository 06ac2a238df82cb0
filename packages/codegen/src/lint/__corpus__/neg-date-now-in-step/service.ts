import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

@DurableService()
export class StepWorkService {
  @Workflow()
  async run(_ctx: DurableContext, input: { url: string }): Promise<string> {
    const at = await this.now();
    const body = await this.download(input.url);
    return `${at}:${body}:${await this.identify()}`;
  }

  @Step()
  async now(): Promise<number> {
    return Date.now() + this.skew();
  }

  @Step({ retry: { maxAttempts: 3 } })
  async download(url: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 100));
    const response = await fetch(url);
    return `${await response.text()}${await readFile('/tmp/cache', 'utf8')}`;
  }

  @Step()
  async identify(): Promise<string> {
    return `${randomUUID()}-${new Date().toISOString()}-${performance.now()}`;
  }

  /** Only steps call it, so it runs inside them. */
  private skew(): number {
    return Math.random();
  }
}
