/**
 * What the per-step idempotency peers (diy, powertools) share: the workflow is N calls of an idempotent step,
 * its resume the same loop run again on the finished execution (every step returns its stored result), which
 * is what a Lambda retry does.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RequestCounter } from '../../test/support/request-counter.js';
import { expectResult, type Job, type Rounds, timed } from '../harness.js';

/** The rounds of `job` for a step made idempotent on `(executionId, i)`; `client` is closed with them. */
export function idempotentStepRounds(
  job: Job,
  client: DynamoDBClient,
  step: (executionId: string, i: number) => Promise<string>,
): Rounds {
  const counter = new RequestCounter(client);
  const workflow = async (executionId: string): Promise<number> => {
    let bytes = 0;
    for (let i = 0; i < job.n; i++) bytes += (await step(executionId, i)).length;
    return bytes;
  };
  const name = `${job.system} on ${job.store}`;
  return {
    async run() {
      const executionId = randomUUID();
      counter.reset();
      const first = await timed(() => workflow(executionId));
      const requests = Object.fromEntries(counter.counts);
      const resumed = await timed(() => workflow(executionId));
      expectResult(name, 'the resumed output', resumed.value, job.n * 40);
      return { runMs: first.ms, replayMs: resumed.ms, requests };
    },
    close: async () => client.destroy(),
  };
}
