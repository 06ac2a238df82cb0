/**
 * The AWS Lambda durable functions SDK (`@aws/durable-execution-sdk-js`), the same workload written with it:
 * N `context.step`s; for the replay, a second execution that then waits (`context.wait`) and is resumed. Two
 * ways to run it locally:
 *
 * - `aws-sdk-runner`: its own `LocalDurableTestRunner` with real timers (with `skipTime` its fake clock ticks
 *   in 20 ms steps, FIELD-NOTES "Peers"): checkpoints go to the runner's server in a worker thread. The wait is
 *   1 s of real time; the runner then invokes the handler again, which replays the N steps. Invocations are
 *   timed inside the handler, so the runner's own bookkeeping between them is not counted.
 * - `aws-sdk-engine`: the SDK's engine alone (`withDurableExecution`) with an in-memory
 *   `DurableExecutionClient` passed as `durableExecutionClient`, the SDK's own seam for a custom transport.
 *   The wait is an hour: the invocation ends PENDING (made at set-up); the bench completes the wait as the
 *   service would and invokes again with the whole recorded state, as the service does on resume.
 */
import { randomUUID } from 'node:crypto';
import {
  type CheckpointDurableExecutionRequest,
  type CheckpointDurableExecutionResponse,
  type DurableContext,
  type DurableExecutionClient,
  type DurableExecutionInvocationInput,
  type DurableExecutionInvocationOutput,
  type DurableLambdaHandler,
  type Duration,
  type GetDurableExecutionStateResponse,
  type OperationUpdate,
  type WireOperation,
  withDurableExecution,
} from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { expectResult, type SystemBench, stepResult, timed } from '../harness.js';

type LambdaContextArg = Parameters<DurableLambdaHandler>[1];

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

/** `aws-sdk-engine`: withDurableExecution with {@link InMemoryCheckpointClient}; requests are checkpoint calls. */
export const awsSdkEngine: SystemBench = {
  system: 'aws-sdk-engine',
  async setUp(job) {
    const client = new InMemoryCheckpointClient();
    const handler = withDurableExecution(workflow({ hours: 1 }), { durableExecutionClient: client });
    const lambdaContext = {
      awsRequestId: 'bench',
      getRemainingTimeInMillis: () => 60_000,
    } as LambdaContextArg;
    /** Starts an execution that waits after N steps; returns its ARN. */
    const pause = async (): Promise<string> => {
      const arn = client.startExecution({ steps: job.n, pause: true });
      const paused = await handler(client.invocationInput(arn), lambdaContext);
      expectResult('aws-sdk-engine', 'the paused invocation', paused.Status, 'PENDING');
      return arn;
    };
    // One paused execution per round, made now: setting up is not measured.
    const pausedArns: string[] = [];
    for (let round = 0; round <= job.runs; round++) pausedArns.push(await pause());
    return {
      async run() {
        const arn = client.startExecution({ steps: job.n, pause: false });
        client.calls = 0;
        const run = await timed(() => handler(client.invocationInput(arn), lambdaContext));
        const requests = { checkpoint: client.calls };
        expectResult('aws-sdk-engine', 'the output', resultOf(run.value), job.n * 40);

        const pausedArn = pausedArns.shift() ?? (await pause());
        client.completeWaits(pausedArn);
        const resumed = await timed(() => handler(client.invocationInput(pausedArn), lambdaContext));
        expectResult('aws-sdk-engine', 'the resumed output', resultOf(resumed.value), job.n * 40);
        return { runMs: run.ms, replayMs: resumed.ms, requests };
      },
      close: async () => {},
    };
  },
};

function resultOf(output: DurableExecutionInvocationOutput): unknown {
  return 'Result' in output && typeof output.Result === 'string' ? JSON.parse(output.Result) : output;
}

const STATUS_AFTER: Record<string, WireOperation['Status']> = {
  START: 'STARTED',
  SUCCEED: 'SUCCEEDED',
  FAIL: 'FAILED',
  RETRY: 'PENDING',
  CANCEL: 'CANCELLED',
};

/**
 * The durable execution service's checkpoint API, in memory: keeps each execution's operations as the service
 * would (status from the action, step results, wait end times) and answers each checkpoint with the operations
 * it changed, like `CheckpointDurableExecution`.
 */
class InMemoryCheckpointClient implements DurableExecutionClient {
  readonly #executions = new Map<string, Map<string, WireOperation>>();
  /** `checkpoint` calls: what the SDK would send to the Lambda service. */
  calls = 0;

  /** Creates an execution with `input` and returns its ARN. */
  startExecution(input: unknown): string {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:bench:1/durable-execution/${randomUUID()}`;
    const execution: WireOperation = {
      Id: 'execution',
      Type: 'EXECUTION',
      Status: 'STARTED',
      StartTimestamp: new Date(),
      ExecutionDetails: { InputPayload: JSON.stringify(input) },
    };
    this.#executions.set(arn, new Map([[execution.Id!, execution]]));
    return arn;
  }

  /** The event the service sends to invoke the function: the whole state, execution operation first. */
  invocationInput(arn: string): DurableExecutionInvocationInput {
    return {
      DurableExecutionArn: arn,
      CheckpointToken: randomUUID(),
      InitialExecutionState: { Operations: [...this.#operations(arn).values()] },
    };
  }

  /** Ends every started wait, as the service does when its timer fires. */
  completeWaits(arn: string): void {
    for (const operation of this.#operations(arn).values()) {
      if (operation.Type === 'WAIT' && operation.Status === 'STARTED') {
        operation.Status = 'SUCCEEDED';
        operation.EndTimestamp = new Date();
      }
    }
  }

  async getExecutionState(): Promise<GetDurableExecutionStateResponse> {
    // Every invocation input carries the whole state (no NextMarker), so the SDK never pages.
    return { Operations: [] };
  }

  async checkpoint(request: CheckpointDurableExecutionRequest): Promise<CheckpointDurableExecutionResponse> {
    this.calls++;
    const operations = this.#operations(request.DurableExecutionArn!);
    const changed = (request.Updates ?? []).map((update) => this.#apply(operations, update));
    return { CheckpointToken: randomUUID(), NewExecutionState: { Operations: changed } };
  }

  #operations(arn: string): Map<string, WireOperation> {
    const operations = this.#executions.get(arn);
    if (operations === undefined) throw new Error(`no execution ${arn}`);
    return operations;
  }

  #apply(operations: Map<string, WireOperation>, update: OperationUpdate): WireOperation {
    const now = new Date();
    const previous = operations.get(update.Id!);
    const operation: WireOperation = {
      ...previous,
      Id: update.Id,
      ParentId: update.ParentId,
      Name: update.Name,
      Type: update.Type,
      SubType: update.SubType,
      Status: STATUS_AFTER[update.Action!],
      StartTimestamp: previous?.StartTimestamp ?? now,
    };
    if (update.Action === 'SUCCEED' || update.Action === 'FAIL') operation.EndTimestamp = now;
    if (update.Type === 'STEP') {
      operation.StepDetails = {
        Attempt: (previous?.StepDetails?.Attempt ?? 0) + (update.Action === 'START' ? 1 : 0),
        Result: update.Payload,
        Error: update.Error,
      };
    }
    if (update.Type === 'WAIT' && update.Action === 'START') {
      operation.WaitDetails = {
        ScheduledEndTimestamp: new Date(now.getTime() + (update.WaitOptions?.WaitSeconds ?? 0) * 1000),
      };
    }
    operations.set(update.Id!, operation);
    return operation;
  }
}
