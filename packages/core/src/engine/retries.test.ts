import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createHandler,
  DefinitionError,
  type DurableContext,
  DurableService,
  NonRetryableError,
  type OperationEvent,
  Step,
  StepTimeoutError,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';
import { type ResolvedRetryPolicy, retryDelayMs } from './retry.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

/** A Lambda context with this much time left: waits longer than it (minus the 1 s margin) suspend. */
const fiveSecondsLeft = { getRemainingTimeInMillis: () => 5_000 };

class QuotaError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'QuotaError';
  }
}

function recorder(): { events: OperationEvent[]; observer: { onOperation(event: OperationEvent): void } } {
  const events: OperationEvent[] = [];
  return { events, observer: { onOperation: (event) => events.push(event) } };
}

describe('step retries', () => {
  it('retries a step that fails twice and records only the successful third attempt', async () => {
    const attempts: number[] = [];

    @DurableService({ name: 'flaky' })
    class Flaky {
      @Workflow()
      async run(_ctx: DurableContext, input: { failures: number }) {
        return this.call(input.failures);
      }

      @Step({ retry: { maxAttempts: 3, initialDelayMs: 1, jitter: 'none' } })
      async call(failures: number) {
        attempts.push(attempts.length + 1);
        if (attempts.length <= failures) throw new Error(`attempt ${attempts.length} failed`);
        return `ok after ${attempts.length}`;
      }
    }

    const store = testStore();
    const { events, observer } = recorder();
    const handler = createHandler(Flaky, { store, observer });
    const result = await handler({ executionId: `r1${RUN}`, input: { failures: 2 } });

    expect(result).toEqual({ status: 'SUCCEEDED', executionId: `r1${RUN}`, output: 'ok after 3' });
    expect(attempts).toEqual([1, 2, 3]);
    const journal = await store.loadJournal({ service: 'flaky', executionId: `r1${RUN}` });
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ position: '1', kind: 'step', name: 'call', status: 'SUCCEEDED', attempt: 3 });
    expect(events.map((e) => `${e.outcome}#${e.attempt}`)).toEqual(['retrying#1', 'retrying#2', 'executed#3']);
  });

  it('records FAILED after the last attempt and hands the last error to the workflow, which can catch it', async () => {
    let attempts = 0;

    @DurableService({ name: 'exhausted' })
    class Exhausted {
      @Workflow()
      async run(_ctx: DurableContext) {
        try {
          await this.alwaysTypeError();
          return 'unreachable';
        } catch (error) {
          const caught = error as Error;
          return { isTypeError: caught instanceof TypeError, name: caught.name, message: caught.message };
        }
      }

      @Workflow()
      async custom(_ctx: DurableContext) {
        try {
          await this.alwaysQuota();
          return 'unreachable';
        } catch (error) {
          const caught = error as QuotaError;
          return { name: caught.name, message: caught.message, status: caught.status, next: 'compensated' };
        }
      }

      @Step({ retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } })
      async alwaysTypeError(): Promise<string> {
        attempts += 1;
        throw new TypeError(`bad value on attempt ${attempts}`);
      }

      @Step({ retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } })
      async alwaysQuota(): Promise<string> {
        attempts += 1;
        throw new QuotaError(`quota exceeded on attempt ${attempts}`, 429);
      }
    }

    const store = testStore();
    const handler = createHandler(Exhausted, { store });

    const builtin = await handler({ executionId: `x1${RUN}`, workflow: 'run', input: null });
    expect(attempts).toBe(2);
    expect(builtin).toMatchObject({
      status: 'SUCCEEDED',
      output: { isTypeError: true, name: 'TypeError', message: 'bad value on attempt 2' },
    });
    const journal = await store.loadJournal({ service: 'exhausted', executionId: `x1${RUN}` });
    expect(journal).toHaveLength(1);
    expect(journal[0]).toMatchObject({ status: 'FAILED', attempt: 2 });
    expect(journal[0]!.error).toContain('bad value on attempt 2');

    attempts = 0;
    const custom = await handler({ executionId: `x2${RUN}`, workflow: 'custom', input: null });
    expect(attempts).toBe(2);
    expect(custom).toMatchObject({
      status: 'SUCCEEDED',
      output: { name: 'QuotaError', message: 'quota exceeded on attempt 2', status: 429, next: 'compensated' },
    });
  });

  it('does not retry a NonRetryableError', async () => {
    let attempts = 0;

    @DurableService({ name: 'rejecting' })
    class Rejecting {
      @Workflow()
      async run(_ctx: DurableContext) {
        try {
          return await this.submit();
        } catch (error) {
          return { rejected: error instanceof NonRetryableError, message: (error as Error).message };
        }
      }

      @Step({ retry: { maxAttempts: 5, initialDelayMs: 1, jitter: 'none' } })
      async submit(): Promise<string> {
        attempts += 1;
        throw new NonRetryableError('400 Bad Request: the order is malformed');
      }
    }

    const store = testStore();
    const { events, observer } = recorder();
    const result = await createHandler(Rejecting, { store, observer })({ executionId: `n1${RUN}`, input: null });

    expect(attempts).toBe(1);
    expect(result).toMatchObject({
      output: { rejected: true, message: '400 Bad Request: the order is malformed' },
    });
    const journal = await store.loadJournal({ service: 'rejecting', executionId: `n1${RUN}` });
    expect(journal).toMatchObject([{ position: '1', status: 'FAILED', attempt: 1 }]);
    expect(events.map((e) => e.outcome)).toEqual(['failed']);
  });

  it('tries a step 3 times by default', async () => {
    let attempts = 0;

    @DurableService({ name: 'defaults' })
    class Defaults {
      @Workflow()
      async run(_ctx: DurableContext) {
        return this.broken();
      }

      @Step()
      async broken(): Promise<string> {
        attempts += 1;
        throw new Error(`down (attempt ${attempts})`);
      }
    }

    // Every retry delay suspends (no in-process waiting), so the default delays cost no real time.
    const clock = new ManualClock();
    const store = testStore();
    const handler = createHandler(Defaults, { store, now: clock.now, maxInProcessWaitMs: 0 });
    let outcome: unknown = await handler({ executionId: `d1${RUN}`, input: null }).catch((error: unknown) => error);
    for (let invocation = 0; invocation < 5 && !(outcome instanceof Error); invocation++) {
      clock.advance(60_000);
      outcome = await handler({ executionId: `d1${RUN}` }).catch((error: unknown) => error);
    }

    expect(attempts).toBe(3);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('down (attempt 3)');
    const journal = await store.loadJournal({ service: 'defaults', executionId: `d1${RUN}` });
    expect(journal).toMatchObject([{ status: 'FAILED', attempt: 3 }]);
    expect(await store.getExecution({ service: 'defaults', executionId: `d1${RUN}` })).toMatchObject({
      status: 'FAILED',
    });
  });
});

describe('retry delays longer than the time left', () => {
  let bodyRuns = 0;

  @DurableService({ name: 'slow-retry' })
  class SlowRetry {
    @Workflow()
    async run(_ctx: DurableContext) {
      const value = await this.fetchRate();
      return { value };
    }

    @Step({ retry: { maxAttempts: 3, initialDelayMs: 10_000, jitter: 'none' } })
    async fetchRate(): Promise<number> {
      bodyRuns += 1;
      if (bodyRuns === 1) throw new QuotaError('throttled', 429);
      return 1.25;
    }
  }

  it('suspends with a RETRYING record and runs the next attempt only once retryAt has passed', async () => {
    bodyRuns = 0;
    const clock = new ManualClock();
    const startedAt = clock.now();
    const store = testStore();
    const key = { service: 'slow-retry', executionId: `s1${RUN}` };
    const handler = createHandler(SlowRetry, { store, now: clock.now });

    const first = await handler({ executionId: `s1${RUN}`, input: null }, fiveSecondsLeft);
    expect(first).toEqual({ status: 'SUSPENDED', executionId: `s1${RUN}`, resumeAt: startedAt + 10_000 });
    expect(bodyRuns).toBe(1);
    const [retrying] = await store.loadJournal(key);
    expect(retrying).toMatchObject({ position: '1', status: 'RETRYING', attempt: 1, retryAt: startedAt + 10_000 });
    expect(retrying!.error).toContain('throttled');
    expect(await store.getExecution(key)).toMatchObject({ status: 'SUSPENDED', resumeAt: startedAt + 10_000 });

    clock.advance(4_000);
    const early = await handler({ executionId: `s1${RUN}` }, fiveSecondsLeft);
    expect(early).toEqual({ status: 'SUSPENDED', executionId: `s1${RUN}`, resumeAt: startedAt + 10_000 });
    expect(bodyRuns).toBe(1);
    expect(await store.loadJournal(key)).toMatchObject([{ status: 'RETRYING', attempt: 1 }]);

    clock.advance(6_000);
    const resumed = await handler({ executionId: `s1${RUN}` }, fiveSecondsLeft);
    expect(resumed).toEqual({ status: 'SUCCEEDED', executionId: `s1${RUN}`, output: { value: 1.25 } });
    expect(bodyRuns).toBe(2);
    expect(await store.loadJournal(key)).toMatchObject([{ position: '1', status: 'SUCCEEDED', attempt: 2 }]);
  });
});

describe('retryDelayMs', () => {
  const policy = (overrides: Partial<ResolvedRetryPolicy>): ResolvedRetryPolicy => ({
    maxAttempts: 10,
    initialDelayMs: 100,
    backoffRate: 2,
    maxDelayMs: 60_000,
    jitter: 'none',
    ...overrides,
  });

  it('grows exponentially with backoffRate', () => {
    const delays = [1, 2, 3, 4].map((failed) => retryDelayMs(policy({ backoffRate: 3 }), failed));
    expect(delays).toEqual([100, 300, 900, 2_700]);
  });

  it('never exceeds maxDelayMs', () => {
    const delays = [1, 2, 3, 4, 5, 20].map((failed) => retryDelayMs(policy({ maxDelayMs: 500 }), failed));
    expect(delays).toEqual([100, 200, 400, 500, 500, 500]);
  });

  it('full jitter picks between 0 and the computed delay', () => {
    const full = policy({ jitter: 'full' });
    expect(retryDelayMs(full, 3, () => 0)).toBe(0);
    expect(retryDelayMs(full, 3, () => 0.5)).toBe(200);
    expect(retryDelayMs(full, 3, () => 0.999_999)).toBeLessThan(400);
  });

  it('equal jitter keeps half of the computed delay fixed', () => {
    const equal = policy({ jitter: 'equal' });
    expect(retryDelayMs(equal, 3, () => 0)).toBe(200);
    expect(retryDelayMs(equal, 3, () => 0.5)).toBe(300);
    expect(retryDelayMs(equal, 3, () => 0.999_999)).toBeLessThan(400);
  });

  it('no jitter ignores the random source', () => {
    expect(retryDelayMs(policy({ jitter: 'none' }), 2, () => 0.1)).toBe(200);
  });
});

describe('step timeouts', () => {
  it('fails a slow attempt with StepTimeoutError and retries it per the policy', async () => {
    let attempts = 0;

    @DurableService({ name: 'timeouts' })
    class Timeouts {
      @Workflow()
      async run(_ctx: DurableContext) {
        return this.lookup();
      }

      @Step({ timeoutMs: 5, retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } })
      async lookup(): Promise<string> {
        attempts += 1;
        // The first attempt hangs; the timeout, not the body, ends it.
        if (attempts === 1) return new Promise<string>(() => {});
        return 'found';
      }
    }

    const store = testStore();
    const { events, observer } = recorder();
    const result = await createHandler(Timeouts, { store, observer })({ executionId: `t1${RUN}`, input: null });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'found' });
    expect(attempts).toBe(2);
    expect(events.map((e) => `${e.outcome}#${e.attempt}`)).toEqual(['retrying#1', 'executed#2']);
    expect(await store.loadJournal({ service: 'timeouts', executionId: `t1${RUN}` })).toMatchObject([
      { status: 'SUCCEEDED', attempt: 2 },
    ]);
  });

  it('hands StepTimeoutError to the workflow when every attempt times out', async () => {
    let attempts = 0;

    @DurableService({ name: 'always-slow' })
    class AlwaysSlow {
      @Workflow()
      async run(_ctx: DurableContext) {
        try {
          return await this.lookup();
        } catch (error) {
          return {
            isTimeout: error instanceof StepTimeoutError,
            code: (error as StepTimeoutError).code,
            timeoutMs: (error as StepTimeoutError).timeoutMs,
          };
        }
      }

      @Step({ timeoutMs: 3, retry: { maxAttempts: 2, initialDelayMs: 1, jitter: 'none' } })
      async lookup(): Promise<string> {
        attempts += 1;
        return new Promise<string>(() => {});
      }
    }

    const store = testStore();
    const result = await createHandler(AlwaysSlow, { store })({ executionId: `t2${RUN}`, input: null });

    expect(attempts).toBe(2);
    expect(result).toMatchObject({ output: { isTimeout: true, code: 'STEP_TIMEOUT', timeoutMs: 3 } });
    expect(await store.loadJournal({ service: 'always-slow', executionId: `t2${RUN}` })).toMatchObject([
      { status: 'FAILED', attempt: 2 },
    ]);
  });
});

describe('step options', () => {
  const decorate = (options: Parameters<typeof Step>[0]) => () => {
    class Service {
      @Step(options)
      async work(): Promise<void> {}
    }
    return Service;
  };

  it.each([
    ['maxAttempts 0', { retry: { maxAttempts: 0 } }, /retry\.maxAttempts must be an integer >= 1/],
    ['backoffRate 0.5', { retry: { backoffRate: 0.5 } }, /retry\.backoffRate must be >= 1/],
    ['a negative timeoutMs', { timeoutMs: -1 }, /timeoutMs must be > 0/],
  ])('rejects %s when the class is decorated', (_label, options, message) => {
    expect(decorate(options)).toThrow(DefinitionError);
    expect(decorate(options)).toThrow(message);
  });

  it('accepts a valid policy', () => {
    expect(
      decorate({ timeoutMs: 1_000, retry: { maxAttempts: 1, backoffRate: 1, initialDelayMs: 0, jitter: 'equal' } }),
    ).not.toThrow();
  });
});
