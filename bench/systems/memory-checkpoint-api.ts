/**
 * The durable execution service's checkpoint API, in memory, and the rounds of a handler built on the official
 * SDK's engine (`withDurableExecution`) that runs on it: what `aws-sdk-engine` (the SDK alone) and `durable
 * (lambda-durable)` (this project's adapter on the same SDK) share, so that only the engines differ. The client
 * reaches the SDK inside the event (`DurableExecutionInvocationInputWithClient`, the SDK's seam for a harness
 * that cannot configure the handler), the same way for both.
 *
 * A round: an execution of N steps from its start, timed; then the resume of an execution that waited an hour
 * after N steps (made at set-up, ended PENDING): the wait is completed as the service would when its timer fires,
 * and the handler invoked with the whole recorded state, as the service does on resume.
 */
import { randomUUID } from 'node:crypto';
import {
  type CheckpointDurableExecutionRequest,
  type CheckpointDurableExecutionResponse,
  type DurableExecutionClient,
  type DurableExecutionInvocationInput,
  DurableExecutionInvocationInputWithClient,
  type DurableExecutionInvocationOutput,
  type DurableLambdaHandler,
  type GetDurableExecutionStateResponse,
  type OperationUpdate,
  type WireOperation,
} from '@aws/durable-execution-sdk-js';
import { expectResult, type Job, type Rounds, timed } from '../harness.js';

/** What `withDurableExecution` returns, for either side. */
export type SdkHandler = (
  event: DurableExecutionInvocationInput,
  context: Parameters<DurableLambdaHandler>[1],
) => Promise<DurableExecutionInvocationOutput>;

/** The execution's input payload (the `Payload` of the service's first invoke) for `steps` steps. */
export type InputOf = (workload: { steps: number; pause: boolean }) => unknown;

/** A minute left: less than the hour's wait, which ends the invocation PENDING. */
const lambdaContext = {
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 60_000,
} as Parameters<DurableLambdaHandler>[1];

/**
 * The rounds of `handler` at `job.n` steps on an {@link InMemoryCheckpointClient}; requests are its checkpoint
 * calls. `inputOf` writes the workload as the handler reads its input; its output must be the bytes the steps
 * returned (N × 40).
 */
export async function checkpointApiRounds(
  job: Job,
  name: string,
  handler: SdkHandler,
  inputOf: InputOf,
): Promise<Rounds> {
  const client = new InMemoryCheckpointClient();
  const invoke = (arn: string) => handler(client.invocationInput(arn), lambdaContext);
  /** Starts an execution that waits after N steps; returns its ARN. */
  const pause = async (): Promise<string> => {
    const arn = client.startExecution(inputOf({ steps: job.n, pause: true }));
    const paused = await invoke(arn);
    expectResult(name, 'the paused invocation', paused.Status, 'PENDING');
    return arn;
  };
  // One paused execution per round, made now: setting up is not measured.
  const pausedArns: string[] = [];
  for (let round = 0; round <= job.runs; round++) pausedArns.push(await pause());
  return {
    async run() {
      const arn = client.startExecution(inputOf({ steps: job.n, pause: false }));
      client.calls = 0;
      const run = await timed(() => invoke(arn));
      const requests = { checkpoint: client.calls };
      expectResult(name, 'the output', resultOf(run.value), job.n * 40);

      const pausedArn = pausedArns.shift() ?? (await pause());
      client.completeWaits(pausedArn);
      const resumed = await timed(() => invoke(pausedArn));
      expectResult(name, 'the resumed output', resultOf(resumed.value), job.n * 40);
      return { runMs: run.ms, replayMs: resumed.ms, requests };
    },
    close: async () => {},
  };
}

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
export class InMemoryCheckpointClient implements DurableExecutionClient {
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

  /**
   * The event the service sends to invoke the function (the whole state, execution operation first), carrying
   * this client for the SDK to checkpoint through.
   */
  invocationInput(arn: string): DurableExecutionInvocationInput {
    return new DurableExecutionInvocationInputWithClient(
      {
        DurableExecutionArn: arn,
        CheckpointToken: randomUUID(),
        InitialExecutionState: { Operations: [...this.#operations(arn).values()] },
      },
      this,
    );
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
