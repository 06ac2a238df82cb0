/**
 * The AWS Lambda durable functions SDK (`@aws/durable-execution-sdk-js`), the same workload written with it:
 * N `context.step`s; for the replay, a second execution that then waits (`context.wait`) and is resumed. Two
 * ways to run it locally:
 *
 * - `aws-sdk-runner`: its own `LocalDurableTestRunner` with real timers (with `skipTime` its fake clock ticks
 *   in 20 ms steps, FIELD-NOTES "Peers"): checkpoints go to the runner's server in a worker thread. The wait is
 *   1 s of real time; the runner then invokes the handler again, which replays the N steps. Invocations are
 *   timed inside the handler, so the runner's own bookkeeping between them is not counted.
 * - `aws-sdk-engine`: the SDK's engine alone (`withDurableExecution`) on an in-memory checkpoint API
 *   (memory-checkpoint-api.ts, shared with `durable (lambda-durable)`). The wait is an hour: the invocation ends
 *   PENDING (made at set-up); the bench completes the wait as the service would and invokes again with the whole
 *   recorded state, as the service does on resume.
 */
import {
  type DurableContext,
  type DurableLambdaHandler,
  type Duration,
  withDurableExecution,
} from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { expectResult, type SystemBench, stepResult, timed } from '../harness.js';
import { checkpointApiRounds } from './memory-checkpoint-api.js';

/** The workload: N steps with 40-byte results, then (for the replay) a wait; returns the bytes the steps returned. */
function workflow(pause: Duration) {
  return async (event: { steps: number; pause: boolean }, context: DurableContext): Promise<number> => {
    let bytes = 0;
    for (let i = 0; i < event.steps; i++) bytes += (await context.step('step', async () => stepResult(i))).length;
    if (event.pause) await context.wait('pause', pause);
    return bytes;
  };
}

/** `aws-sdk-runner`: LocalDurableTestRunner, real timers. */
export const awsSdkRunner: SystemBench = {
  system: 'aws-sdk-runner',
  async setUp(job) {
    await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
    const durable = withDurableExecution(workflow({ seconds: 1 }));
    let invocations: number[] = [];
    const handlerFunction: DurableLambdaHandler = async (event, context) => {
      const invocation = await timed(() => durable(event, context));
      invocations.push(invocation.ms);
      return invocation.value;
    };
    const runner = new LocalDurableTestRunner<number>({ handlerFunction });
    /** Runs one execution to its end; returns how long each of its invocations took. */
    const execute = async (payload: { steps: number; pause: boolean }): Promise<number[]> => {
      invocations = [];
      const execution = await runner.run({ payload });
      runner.reset();
      expectResult(
        'aws-sdk-runner',
        'the result',
        [execution.getStatus(), execution.getResult()],
        ['SUCCEEDED', job.n * 40],
      );
      expectResult('aws-sdk-runner', 'the number of invocations', invocations.length, payload.pause ? 2 : 1);
      return invocations;
    };
    return {
      async run() {
        const [runMs] = await execute({ steps: job.n, pause: false });
        const [, replayMs] = await execute({ steps: job.n, pause: true });
        return { runMs: runMs!, replayMs: replayMs!, requests: undefined };
      },
      close: () => LocalDurableTestRunner.teardownTestEnvironment(),
    };
  },
};

/** `aws-sdk-engine`: withDurableExecution on the in-memory checkpoint API; requests are checkpoint calls. */
export const awsSdkEngine: SystemBench = {
  system: 'aws-sdk-engine',
  setUp: (job) =>
    checkpointApiRounds(job, 'aws-sdk-engine', withDurableExecution(workflow({ hours: 1 })), (workload) => workload),
};
