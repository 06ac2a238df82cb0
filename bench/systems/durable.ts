/**
 * This project: the `@DurableService` of bench-service.ts, whose workflow runs N `@Step`s, on its `dynamodb`
 * backend (`createHandler` on a CheckpointStore). Timed run: an execution of N steps, start to finish. Replay:
 * an execution whose workflow then sleeps an hour (made at set-up); the Lambda context has a minute left, so the
 * sleep suspends it; the clock (`createHandler`'s `now`) is moved past the wake-up time and the resuming
 * invocation, which replays the N recorded steps, is timed.
 */
import { randomUUID } from 'node:crypto';
import { type CheckpointStore, createHandler, DynamoDbStore, MemoryStore } from '../../packages/core/src/index.js';
import { CountingStore } from '../../packages/core/src/testing/counting-store.js';
import { localClient } from '../../test/support/dynamodb-servers.js';
import { RequestCounter } from '../../test/support/request-counter.js';
import { endpointOf, expectResult, type RequestCounts, type SystemBench, timed } from '../harness.js';
import { BenchService } from './bench-service.js';

const HOUR_MS = 3_600_000;
/** Less than the sleep: the engine suspends instead of waiting in the invocation. */
const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };

/** `durable` on MemoryStore (store calls counted), and on DynamoDbStore against either local server. */
export const durable: SystemBench = {
  system: 'durable',
  async setUp(job) {
    let store: CheckpointStore;
    let requests: () => RequestCounts;
    let resetRequests: () => void;
    let close = async () => {};
    if (job.store === 'memory') {
      const counting = new CountingStore(new MemoryStore());
      store = counting;
      requests = () => nonZero(counting.counts());
      resetRequests = () => counting.reset();
    } else {
      const client = localClient(endpointOf(job));
      const tableName = `durable-${randomUUID()}`;
      await DynamoDbStore.createTable(client, tableName);
      const counter = new RequestCounter(client);
      store = new DynamoDbStore({ client, tableName });
      requests = () => Object.fromEntries(counter.counts);
      resetRequests = () => counter.reset();
      close = async () => client.destroy();
    }
    let clock = Date.now();
    const handler = createHandler(BenchService, {
      store,
      now: () => clock,
      // The defaults (strict checkpoints), except for the `pipelined` variant.
      ...(job.variant === 'pipelined' ? { pipelineCheckpoints: true } : {}),
    });
    const name = `durable${job.variant === undefined ? '' : ` (${job.variant})`} on ${job.store}`;
    /** Starts an execution that suspends after N steps; returns its id. */
    const pause = async (): Promise<string> => {
      const executionId = randomUUID();
      const paused = await handler({ executionId, input: { steps: job.n, pause: true } }, lambdaContext);
      expectResult(name, 'the paused invocation', paused.status, 'SUSPENDED');
      return executionId;
    };
    // One paused execution per round, made now: setting up is not measured and runs while other jobs set up.
    const pausedIds: string[] = [];
    for (let round = 0; round <= job.runs; round++) pausedIds.push(await pause());
    return {
      async run() {
        const executionId = randomUUID();
        resetRequests();
        const run = await timed(() => handler({ executionId, input: { steps: job.n, pause: false } }, lambdaContext));
        const runRequests = requests();
        expectResult(name, 'the output', run.value, { status: 'SUCCEEDED', executionId, output: job.n * 40 });

        const pausedId = pausedIds.shift() ?? (await pause());
        clock += 2 * HOUR_MS;
        const resumed = await timed(() => handler({ executionId: pausedId }, lambdaContext));
        expectResult(name, 'the resumed output', resumed.value, {
          status: 'SUCCEEDED',
          executionId: pausedId,
          output: job.n * 40,
        });
        return { runMs: run.ms, replayMs: resumed.ms, requests: runRequests };
      },
      close,
    };
  },
};

function nonZero(counts: Record<string, number>): RequestCounts {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}
