import { beforeEach, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  PayloadTooLargeError,
  SerializationError,
  Step,
  Workflow,
} from '../index.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

/** Values over this many serialized bytes are refused. */
const MAX_BYTES = 2_048;
const TOO_BIG = 'x'.repeat(MAX_BYTES + 1);

/** Attempts of each step body, by step name. */
const attempts = new Map<string, number>();

beforeEach(() => {
  attempts.clear();
});

function attempt(step: string): void {
  attempts.set(step, (attempts.get(step) ?? 0) + 1);
}

/** Generous retries with tiny delays: any retry of a payload failure would show in the attempt count. */
const RETRY = { maxAttempts: 5, initialDelayMs: 1, jitter: 'none' } as const;

@DurableService({ name: 'payloads' })
class Reports {
  @Workflow()
  async render(_ctx: DurableContext, input: { catchIt: boolean }) {
    if (!input.catchIt) return this.renderAll();
    try {
      return await this.renderAll();
    } catch (error) {
      // Fall back to a summary the journal can hold.
      return {
        fallback: await this.summary(),
        caught: error instanceof PayloadTooLargeError,
        code: (error as PayloadTooLargeError).code,
      };
    }
  }

  @Workflow()
  async export(_ctx: DurableContext) {
    await this.summary();
    return { report: TOO_BIG };
  }

  @Workflow()
  async subscribe(_ctx: DurableContext, input: { kind: 'function' | 'cycle' }) {
    return input.kind === 'function' ? this.makeListener() : this.makeGraph();
  }

  @Step({ retry: RETRY }) async renderAll() {
    attempt('renderAll');
    return { pages: TOO_BIG };
  }

  @Step() async summary() {
    attempt('summary');
    return 'summary';
  }

  @Step({ retry: RETRY }) async makeListener() {
    attempt('makeListener');
    return { name: 'on-change', onChange: () => 'changed' };
  }

  @Step({ retry: RETRY }) async makeGraph() {
    attempt('makeGraph');
    const node: { id: string; next?: unknown } = { id: 'a' };
    node.next = { id: 'b', next: node };
    return node;
  }
}

function setup() {
  const store = testStore();
  const handler = createHandler(Reports, { store, maxPayloadBytes: MAX_BYTES, logger: new RecordingLogger() });
  return { store, handler };
}

describe('payload limits', () => {
  it('fails a step whose result is over maxPayloadBytes with PayloadTooLargeError, without retrying it', async () => {
    const { store, handler } = setup();
    const executionId = uniqueId('report');

    const error = await rejectionOf(handler({ executionId, workflow: 'render', input: { catchIt: false } }));

    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      what: "the result of step 'renderAll'",
      maxBytes: MAX_BYTES,
      retryable: false,
    });
    expect((error as PayloadTooLargeError).sizeBytes).toBeGreaterThan(MAX_BYTES);
    expect(attempts.get('renderAll')).toBe(1);
    const key = { service: 'payloads', executionId };
    expect((await store.getExecution(key))?.status).toBe('FAILED');
    const [record] = await store.loadJournal(key);
    expect(record).toMatchObject({ position: '1', name: 'renderAll', status: 'FAILED' });
    expect(record?.result).toBeUndefined();
  });

  it('lets the workflow catch a step result that is too large and carry on', async () => {
    const { handler } = setup();
    const executionId = uniqueId('report');

    const result = await handler({ executionId, workflow: 'render', input: { catchIt: true } });

    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId,
      output: { fallback: 'summary', caught: true, code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(attempts.get('renderAll')).toBe(1);
  });

  it('ends the execution FAILED with PayloadTooLargeError when the workflow output is too large', async () => {
    const { store, handler } = setup();
    const executionId = uniqueId('export');

    const error = await rejectionOf(handler({ executionId, workflow: 'export', input: null }));

    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', what: "the output of workflow 'export'" });
    const record = await store.getExecution({ service: 'payloads', executionId });
    expect(record?.status).toBe('FAILED');
    expect(record?.output).toBeUndefined();

    // Answered from the record afterwards, without running the workflow again.
    attempts.clear();
    const again = await rejectionOf(handler({ executionId }));
    expect(again).toBeInstanceOf(PayloadTooLargeError);
    expect(again).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: (error as Error).message });
    expect(attempts.size).toBe(0);
  });
});

describe('values the journal cannot hold', () => {
  it('fails a step that returns a function with SerializationError naming the step, without retrying it', async () => {
    const { handler } = setup();

    const error = await rejectionOf(
      handler({ executionId: uniqueId('sub'), workflow: 'subscribe', input: { kind: 'function' } }),
    );

    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({
      code: 'SERIALIZATION',
      what: "the result of step 'makeListener'",
      path: '$.onChange',
      retryable: false,
    });
    expect((error as Error).message).toMatch(/step 'makeListener'.*a function \(onChange\) at \$\.onChange/);
    expect(attempts.get('makeListener')).toBe(1);
  });

  it('fails a step that returns a cyclic value with SerializationError naming the step', async () => {
    const { handler } = setup();

    const error = await rejectionOf(
      handler({ executionId: uniqueId('sub'), workflow: 'subscribe', input: { kind: 'cycle' } }),
    );

    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ code: 'SERIALIZATION', what: "the result of step 'makeGraph'", path: '$.next.next' });
    expect((error as Error).message).toMatch(/step 'makeGraph'.*a cycle/);
    expect(attempts.get('makeGraph')).toBe(1);
  });
});
