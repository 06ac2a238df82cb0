import { createHash } from 'node:crypto';
import {
  type CheckpointDurableExecutionRequest,
  type CheckpointDurableExecutionResponse,
  type DurableExecutionClient,
  DurableExecutionInvocationInputWithClient,
  type GetDurableExecutionStateResponse,
  type OperationUpdate,
  type WireOperation,
} from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  Step,
  StepInterruptedError,
  type StepSemantics,
  Workflow,
} from '../index.js';

/**
 * At-most-once steps on lambda-durable. The SDK's test runner cannot stop an invocation inside a step body, so
 * the crash is a hand-built state, as the service would send it after one: the step STARTED by an invocation that
 * died. The handler gets it with an in-memory checkpoint API (the SDK's own seam for a transport). Mirrors the
 * dynamodb engine's at-most-once suite.
 */

/** Step bodies that ran. */
const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

function serviceWith(semantics: StepSemantics) {
  @DurableService({ name: 'payments' })
  class Payments {
    @Workflow() async pay(_ctx: DurableContext, amount: number) {
      try {
        return { receipt: await this.charge(amount) };
      } catch (error) {
        return { interrupted: error };
      }
    }
    @Step({ semantics }) async charge(amount: number) {
      ran.push('charge');
      return `receipt for ${amount}`;
    }
  }
  return Payments;
}

/** The SDK's id of an operation on the wire: the md5 of its step id, 16 hex digits. */
function wireId(stepId: string): string {
  return createHash('md5').update(stepId).digest('hex').slice(0, 16);
}

/** The service's checkpoint API, in memory: keeps what the SDK checkpoints and answers with the new state. */
class MemoryCheckpoints implements DurableExecutionClient {
  readonly updates: OperationUpdate[] = [];

  async getExecutionState(): Promise<GetDurableExecutionStateResponse> {
    return { Operations: [] };
  }

  async checkpoint(request: CheckpointDurableExecutionRequest): Promise<CheckpointDurableExecutionResponse> {
    const updates = request.Updates ?? [];
    this.updates.push(...updates);
    const operations = updates.map(
      (update): WireOperation => ({
        Id: update.Id,
        Name: update.Name,
        Type: update.Type,
        SubType: update.SubType,
        Status: ({ START: 'STARTED', SUCCEED: 'SUCCEEDED', FAIL: 'FAILED' } as const)[update.Action as 'START'],
        StartTimestamp: new Date(),
        StepDetails: { Attempt: 2, Result: update.Payload, Error: update.Error },
      }),
    );
    return { CheckpointToken: `token-${this.updates.length}`, NewExecutionState: { Operations: operations } };
  }
}

/** One invocation after a crash inside the first attempt of step `charge` (position 1). */
async function resumeAfterCrash(semantics: StepSemantics) {
  const checkpoints = new MemoryCheckpoints();
  const handler = createHandler(serviceWith(semantics), { backend: 'lambda-durable' });
  const started = new Date(Date.now() - 60_000);
  const event = new DurableExecutionInvocationInputWithClient(
    {
      DurableExecutionArn: 'arn:aws:lambda:us-east-2:123456789012:function:payments:1/durable-execution/pay-1/run-1',
      CheckpointToken: 'token-0',
      InitialExecutionState: {
        Operations: [
          {
            Id: 'execution',
            Type: 'EXECUTION',
            Status: 'STARTED',
            StartTimestamp: started,
            ExecutionDetails: { InputPayload: JSON.stringify({ input: 120 }) },
          },
          {
            Id: wireId('1'),
            Name: 'charge',
            Type: 'STEP',
            SubType: 'Step',
            Status: 'STARTED',
            StartTimestamp: started,
            StepDetails: { Attempt: 1 },
          },
        ],
      },
    },
    checkpoints,
  );
  const answer = await handler(event, {
    awsRequestId: 'request-2',
    invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:payments:1',
    getRemainingTimeInMillis: () => 60_000,
  } as Parameters<typeof handler>[1]);
  return { answer, checkpoints };
}

describe('at-most-once steps on lambda-durable', () => {
  it('does not run an interrupted step again: the workflow gets a catchable StepInterruptedError', async () => {
    const { answer, checkpoints } = await resumeAfterCrash('at-most-once');
    expect(ran).toEqual([]);
    expect(answer.Status).toBe('SUCCEEDED');
    const { interrupted } = deserialize<{ interrupted: StepInterruptedError }>((answer as { Result: string }).Result);
    expect(interrupted).toBeInstanceOf(StepInterruptedError);
    expect(interrupted).toMatchObject({ code: 'STEP_INTERRUPTED', stepName: 'charge', position: '1', attempt: 1 });
    // The interruption is the step's recorded outcome: later invocations replay it.
    expect(checkpoints.updates).toContainEqual(
      expect.objectContaining({
        Id: wireId('1'),
        Action: 'FAIL',
        Error: expect.objectContaining({ ErrorType: 'StepInterruptedError' }),
      }),
    );
  });

  it('runs an interrupted at-least-once step again', async () => {
    const { answer } = await resumeAfterCrash('at-least-once');
    expect(ran).toEqual(['charge']);
    expect(deserialize((answer as { Result: string }).Result)).toEqual({ receipt: 'receipt for 120' });
  });
});

describe('an at-most-once step that fails, under the test runner', () => {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

  it('is tried once by default, as on the dynamodb engine', async () => {
    @DurableService({ name: 'transfers' })
    class Transfers {
      @Workflow() async send(_ctx: DurableContext) {
        try {
          return await this.transfer();
        } catch (error) {
          return { failed: (error as Error).message };
        }
      }
      @Step({ semantics: 'at-most-once' }) async transfer(): Promise<string> {
        ran.push('transfer');
        throw new Error('bank timeout');
      }
    }
    const runner = new LocalDurableTestRunner({
      handlerFunction: createHandler(Transfers, { backend: 'lambda-durable' }),
    });
    const result = await runner.run({ payload: {} });
    expect(result.getResult()).toEqual({ failed: 'bank timeout' });
    expect(ran).toEqual(['transfer']);
    expect(result.getInvocations()).toHaveLength(1);
  });
});
