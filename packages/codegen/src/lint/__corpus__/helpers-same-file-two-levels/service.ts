import { type DurableContext, DurableService, Workflow } from '@durable/core';

function noise(scale: number): number {
  return Math.random() * scale; // expect: nondeterministic-random via BadService.go → jitter → noise
}

function jitter(base: number): number {
  return base + noise(base / 10);
}

@DurableService()
export class BadService {
  @Workflow()
  async go(_ctx: DurableContext, input: { delay: number }): Promise<number> {
    return jitter(input.delay);
  }
}
