/**
 * The workload as this project's users write it: a `@DurableService` whose workflow runs N `@Step`s with 40-byte
 * results, then (for the replay) sleeps an hour. One class for both backends: `durable` runs it with
 * `createHandler` on a `CheckpointStore`, `durable (lambda-durable)` through the adapter on the official SDK.
 */
import { type DurableContext, DurableService, Step, Workflow } from '../../packages/core/src/index.js';
import { stepResult } from '../harness.js';

/** The workflow's input: how many steps, and whether to sleep after them. */
export interface BenchInput {
  steps: number;
  pause: boolean;
}

/** Returns the bytes its steps returned: N × 40. */
@DurableService({ name: 'bench' })
export class BenchService {
  @Workflow()
  async run(ctx: DurableContext, input: BenchInput): Promise<number> {
    let bytes = 0;
    for (let i = 0; i < input.steps; i++) bytes += (await this.step(i)).length;
    if (input.pause) await ctx.sleep('pause', { hours: 1 });
    return bytes;
  }

  @Step()
  async step(i: number): Promise<string> {
    return stepResult(i);
  }
}
