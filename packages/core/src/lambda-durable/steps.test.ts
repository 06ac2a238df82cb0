import { LocalDurableTestRunner, type TestResult } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  NonRetryableError,
  PayloadTooLargeError,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';
import { decodeExecutionError, MAX_OPERATION_PAYLOAD_BYTES } from '../lambda-durable.js';

/**
 * Steps on AWS Lambda durable functions, under the SDK's own LocalDurableTestRunner with real timers: each retry
 * waits a whole second and ends the invocation, and the next invocation replays what was recorded. Mirrors the
 * dynamodb engine's replay and retries suites.
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/** Step bodies that ran, in order. */
const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

async function run(service: ServiceClass, input?: unknown): Promise<TestResult> {
  const runner = new LocalDurableTestRunner({ handlerFunction: createHandler(service, { backend: 'lambda-durable' }) });
  return runner.run({ payload: { input } });
}

/** The workflow's output, read back with its values. */
function outputOf(result: TestResult): unknown {
  return deserialize(JSON.stringify(result.getResult()));
}

const RICH = {
  at: new Date('2026-03-04T05:06:07.890Z'),
  tags: new Set(['a', 'b']),
  counts: new Map<string, bigint>([['x', 2n ** 70n]]),
  missing: undefined,
  bytes: new Uint8Array([0, 1, 255]),
};

/** This package's errors come back as instances of their class; own fields come back on any error. */
function declined(declineCode: string): NonRetryableError {
  return Object.assign(new NonRetryableError(`card declined (${declineCode})`), { declineCode });
}

@DurableService({ name: 'reviews' })
class Reviews {
  /** What the workflow saw of its first step, in each invocation. */
  static seen: unknown[] = [];
  static caught: unknown[] = [];

  @Workflow() async review(_ctx: DurableContext, pr: string) {
    Reviews.seen.push(await this.comment(pr));
    try {
      await this.charge(pr);
    } catch (error) {
      Reviews.caught.push(error);
    }
    const findings = await this.analyze(pr);
    return { comment: await this.comment(`${pr}-again`), findings };
  }

  @Step() async comment(pr: string) {
    ran.push(`comment ${pr}`);
    return { ...RICH, pr };
  }

  @Step() async charge(_pr: string): Promise<string> {
    ran.push('charge');
    throw Object.assign(declined('insufficient-funds'), { attemptedAt: new Date(0) });
  }

  @Step({ retry: { maxAttempts: 2, initialDelayMs: 1 } })
  async analyze(pr: string) {
    ran.push('analyze');
    if (ran.filter((r) => r === 'analyze').length === 1) throw new Error('analyzer busy');
    return [`finding in ${pr}`];
  }
}

describe('steps on lambda-durable', () => {
  it('runs each step once across invocations, replaying recorded results and errors with their types', async () => {
    Reviews.seen = [];
    Reviews.caught = [];
    const result = await run(Reviews, 'pr-1');

    expect(result.getStatus()).toBe('SUCCEEDED');
    // analyze failed once: its retry ended the first invocation, the second replayed comment and charge.
    expect(result.getInvocations()).toHaveLength(2);
    expect(ran).toEqual(['comment pr-1', 'charge', 'analyze', 'analyze', 'comment pr-1-again']);
    expect(Reviews.seen).toEqual([
      { ...RICH, pr: 'pr-1' },
      { ...RICH, pr: 'pr-1' },
    ]);
    for (const seen of Reviews.seen as (typeof RICH)[]) {
      expect(seen.at).toBeInstanceOf(Date);
      expect(seen.counts.get('x')).toBe(2n ** 70n);
      expect(seen.bytes).toBeInstanceOf(Uint8Array);
      expect(Object.hasOwn(seen, 'missing')).toBe(true);
    }
    // The first run's error and the replayed one: this package's class, code and own fields, not the SDK's.
    expect(Reviews.caught).toHaveLength(2);
    for (const error of Reviews.caught) {
      expect(error).toBeInstanceOf(NonRetryableError);
      expect(error).toMatchObject({
        code: 'NON_RETRYABLE',
        name: 'NonRetryableError',
        message: 'card declined (insufficient-funds)',
        declineCode: 'insufficient-funds',
        attemptedAt: new Date(0),
      });
    }
    expect(outputOf(result)).toEqual({ comment: { ...RICH, pr: 'pr-1-again' }, findings: ['finding in pr-1'] });
    const analyze = result.getOperations().find((op) => op.getName() === 'analyze');
    expect(analyze?.getStepDetails()?.attempt).toBe(2);
  });

  it('hands the last error to the workflow once the policy allows no more attempts, as its built-in class', async () => {
    @DurableService({ name: 'flaky' })
    class Flaky {
      @Workflow() async go(_ctx: DurableContext) {
        try {
          return await this.call();
        } catch (error) {
          return { failedWith: error };
        }
      }
      @Step({ retry: { maxAttempts: 2, initialDelayMs: 0, jitter: 'none' } }) async call(): Promise<string> {
        ran.push('call');
        throw Object.assign(new TypeError('endpoint moved'), { status: 410 });
      }
    }
    const result = await run(Flaky);
    expect(ran).toEqual(['call', 'call']);
    const { failedWith } = outputOf(result) as { failedWith: TypeError & { status: number } };
    expect(failedWith).toBeInstanceOf(TypeError);
    expect(failedWith).toMatchObject({ message: 'endpoint moved', status: 410 });
  });

  it('fails the execution with the error the workflow throws, its class and fields in ErrorData', async () => {
    @DurableService({ name: 'payments' })
    class Payments {
      @Workflow() async pay(_ctx: DurableContext) {
        return this.charge();
      }
      @Step() async charge(): Promise<string> {
        ran.push('charge');
        throw declined('expired-card');
      }
    }
    const result = await run(Payments);
    expect(result.getStatus()).toBe('FAILED');
    // NonRetryableError: no retry, whatever the default policy allows.
    expect(ran).toEqual(['charge']);
    const reported = result.getError();
    expect(reported).toMatchObject({ errorType: 'NonRetryableError', errorMessage: 'card declined (expired-card)' });
    const error = decodeExecutionError(reported);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error).toMatchObject({ code: 'NON_RETRYABLE', declineCode: 'expired-card' });
  });

  it('refuses a step result over the 1 MB the service allows per operation with PayloadTooLargeError', async () => {
    @DurableService({ name: 'exports' })
    class Exports {
      @Workflow() async export(_ctx: DurableContext) {
        try {
          await this.render();
          return 'stored';
        } catch (error) {
          return { refused: error };
        }
      }
      @Step() async render() {
        ran.push('render');
        return 'x'.repeat(MAX_OPERATION_PAYLOAD_BYTES);
      }
    }
    const result = await run(Exports);
    const { refused } = outputOf(result) as { refused: PayloadTooLargeError };
    expect(refused).toBeInstanceOf(PayloadTooLargeError);
    expect(refused).toMatchObject({ maxBytes: MAX_OPERATION_PAYLOAD_BYTES, what: "the result of step 'render'" });
    expect(refused.sizeBytes).toBeGreaterThan(MAX_OPERATION_PAYLOAD_BYTES);
    // Not retried: no attempt can make the result smaller.
    expect(ran).toEqual(['render']);
    const render = result.getOperations().find((op) => op.getName() === 'render');
    expect(render?.getStatus()).toBe('FAILED');
  });
});
