/**
 * `durable (lambda-durable)`: the same `@DurableService` as the `durable` rows (bench-service.ts), through this
 * project's `lambda-durable` backend (`createDurableHandler` of `@durable/core/lambda-durable`, the handler
 * codegen emits for that backend), on the same in-memory checkpoint API as `aws-sdk-engine`, which runs the
 * same workload written directly against the SDK. Only the engines differ: the rows' ratio is what the adapter
 * adds to the SDK (such as an argument hash per operation, checked on replay, and this package's value
 * envelope).
 */
import { createDurableHandler } from '../../packages/core/src/lambda-durable.js';
import type { SystemBench } from '../harness.js';
import { BenchService } from './bench-service.js';
import { checkpointApiRounds } from './memory-checkpoint-api.js';

/** The adapter's handler on {@link checkpointApiRounds}; its input is `{ input }`, as the backend reads it. */
export const durableLambda: SystemBench = {
  system: 'durable',
  setUp: (job) =>
    checkpointApiRounds(job, 'durable (lambda-durable)', createDurableHandler(BenchService), (input) => ({ input })),
};
