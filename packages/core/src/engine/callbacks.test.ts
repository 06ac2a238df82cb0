import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CallbackAlreadyCompletedError,
  CallbackTimeoutError,
  type CheckpointStore,
  completeCallback,
  createHandler,
  type DurableContext,
  DurableService,
  ExecutionNotFoundError,
  failCallback,
  InvalidCallbackTokenError,
  Step,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';
import { encodeCallbackToken } from './callback-token.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

interface Approval {
  approved: boolean;
  by: string;
}

/** The tokens the submitters below were handed, in order. */
const sent: string[] = [];
let store: CheckpointStore;
let clock: ManualClock;
let prepared = 0;

function setUp(): void {
  sent.length = 0;
  store = testStore();
  clock = new ManualClock();
  prepared = 0;
}

@DurableService({ name: 'approvals' })
class Approvals {
  @Workflow()
  async request(ctx: DurableContext, input: { doc: string }) {
    const draft = await this.prepare(input.doc);
    const decision = await ctx.waitForCallback<Approval>('approval', async (token) => {
      sent.push(token);
    });
    return { draft, decision };
  }

  @Workflow()
  async guarded(ctx: DurableContext, input: { doc: string }) {
    try {
      const decision = await ctx.waitForCallback<Approval>('approval', (token) => {
        sent.push(token);
      });
      return { decision };
    } catch (error) {
      return { rejected: (error as Error).message, name: (error as Error).name, doc: input.doc };
    }
  }

  @Workflow()
  async eager(ctx: DurableContext, input: { doc: string }) {
    const decision = await ctx.waitForCallback<Approval>('approval', async (token) => {
      sent.push(token);
      // The approver answers before the engine has recorded the wait.
      await completeCallback(store, token, { approved: true, by: `instant-${input.doc}` }, clock.now);
    });
    return { decision };
  }

  @Workflow()
  async timed(ctx: DurableContext) {
    try {
      return await ctx.waitForCallback<Approval>(
        'approval',
        (token) => {
          sent.push(token);
        },
        { timeout: { minutes: 10 } },
      );
    } catch (error) {
      return {
        timedOut: error instanceof CallbackTimeoutError,
        code: (error as CallbackTimeoutError).code,
        timeoutMs: (error as CallbackTimeoutError).timeoutMs,
      };
    }
  }

  @Step()
  async prepare(doc: string): Promise<string> {
    prepared += 1;
    return `draft of ${doc}`;
  }
}

async function start(executionId: string, workflow: string, doc = 'contract') {
  const handler = createHandler(Approvals, { store, now: clock.now });
  const result = await handler({ executionId, workflow, input: { doc } });
  return { handler, result };
}

describe('ctx.waitForCallback', () => {
  it('hands a token out, suspends, and resumes with the result once the callback is completed', async () => {
    setUp();
    const key = { service: 'approvals', executionId: `w1${RUN}` };
    const { handler, result } = await start(`w1${RUN}`, 'request');

    expect(result).toEqual({ status: 'SUSPENDED', executionId: `w1${RUN}` });
    expect(sent).toHaveLength(1);
    const suspended = await store.getExecution(key);
    expect(suspended).toMatchObject({ status: 'SUSPENDED' });
    expect(suspended?.resumeAt).toBeUndefined();
    expect(await store.loadJournal(key)).toMatchObject([
      { position: '1', kind: 'step', status: 'SUCCEEDED' },
      { position: '2', kind: 'callback', name: 'approval', status: 'STARTED' },
    ]);

    clock.advance(60_000);
    const completion = await completeCallback(store, sent[0]!, { approved: true, by: 'ann' }, clock.now);
    expect(completion).toEqual({ service: 'approvals', executionId: `w1${RUN}` });
    expect(await store.getExecution(key)).toMatchObject({ status: 'SUSPENDED', resumeAt: clock.now() });
    const resumable = await store.findResumable({ service: 'approvals', now: clock.now(), limit: 100 });
    expect(resumable.map((r) => r.executionId)).toContain(`w1${RUN}`);

    const resumed = await handler({ executionId: `w1${RUN}` });
    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: `w1${RUN}`,
      output: { draft: 'draft of contract', decision: { approved: true, by: 'ann' } },
    });
    expect(prepared).toBe(1);
    expect(sent).toHaveLength(1);
    expect(await store.loadJournal(key)).toMatchObject([
      { position: '1', status: 'SUCCEEDED' },
      { position: '2', kind: 'callback', status: 'SUCCEEDED' },
    ]);
  });

  it('stays suspended when re-invoked before anyone completed the callback', async () => {
    setUp();
    const { handler } = await start(`w2${RUN}`, 'request');

    const again = await handler({ executionId: `w2${RUN}` });

    expect(again).toEqual({ status: 'SUSPENDED', executionId: `w2${RUN}` });
    expect(sent).toHaveLength(1);
    expect(prepared).toBe(1);
  });

  it('throws the error of failCallback in the workflow', async () => {
    setUp();
    const { handler } = await start(`w3${RUN}`, 'guarded', 'invoice');

    await failCallback(store, sent[0]!, new RangeError('amount over the approver limit'), clock.now);
    const resumed = await handler({ executionId: `w3${RUN}` });

    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: `w3${RUN}`,
      output: { rejected: 'amount over the approver limit', name: 'RangeError', doc: 'invoice' },
    });
    expect(await store.loadJournal({ service: 'approvals', executionId: `w3${RUN}` })).toMatchObject([
      { position: '1', kind: 'callback', status: 'FAILED' },
    ]);
  });

  it('refuses a second completion of the same token', async () => {
    setUp();
    await start(`w4${RUN}`, 'request');
    const token = sent[0]!;

    await completeCallback(store, token, { approved: true, by: 'first' }, clock.now);
    await expect(completeCallback(store, token, { approved: false, by: 'second' }, clock.now)).rejects.toBeInstanceOf(
      CallbackAlreadyCompletedError,
    );
    await expect(failCallback(store, token, new Error('late'), clock.now)).rejects.toMatchObject({
      code: 'CALLBACK_ALREADY_COMPLETED',
    });

    const resumed = await createHandler(Approvals, { store, now: clock.now })({ executionId: `w4${RUN}` });
    expect(resumed).toMatchObject({ output: { decision: { approved: true, by: 'first' } } });
  });

  it('refuses a garbage token and writes nothing', async () => {
    setUp();
    await start(`w5${RUN}`, 'request');
    const key = { service: 'approvals', executionId: `w5${RUN}` };
    const journalBefore = await store.loadJournal(key);
    const executionBefore = await store.getExecution(key);
    const tampered = Buffer.from(JSON.stringify({ v: 1, s: 'approvals', e: 'w5', p: 'two', n: 'approval' })).toString(
      'base64url',
    );

    for (const token of ['not a token', '', tampered, `${sent[0]!.slice(0, 10)}!!`]) {
      await expect(completeCallback(store, token, { approved: true, by: 'mallory' })).rejects.toBeInstanceOf(
        InvalidCallbackTokenError,
      );
    }
    await expect(failCallback(store, 'garbage', new Error('x'))).rejects.toMatchObject({
      code: 'INVALID_CALLBACK_TOKEN',
    });

    expect(await store.loadJournal(key)).toEqual(journalBefore);
    expect(await store.getExecution(key)).toEqual(executionBefore);
  });

  it('refuses a token of an execution the store does not have', async () => {
    setUp();
    const key = { service: 'approvals', executionId: `never-started${RUN}` };
    const token = encodeCallbackToken({ ...key, position: '1', name: 'approval' }, 'not-the-secret');

    await expect(completeCallback(store, token, { approved: true, by: 'ann' })).rejects.toBeInstanceOf(
      ExecutionNotFoundError,
    );
    await expect(failCallback(store, token, new Error('no'))).rejects.toMatchObject({ code: 'EXECUTION_NOT_FOUND' });
    expect(await store.getExecution(key)).toBeUndefined();
    expect(await store.loadJournal(key)).toEqual([]);
  });

  it('hands out tokens nobody can forge from what they know of the execution', async () => {
    setUp();
    const executionId = `w9${RUN}`;
    const key = { service: 'approvals', executionId };
    await start(executionId, 'request');
    const journalBefore = await store.loadJournal(key);
    // Service, execution id, position and name: all known to anyone who knows the id and the workflow's code.
    const forged = Buffer.from(
      JSON.stringify({ v: 1, s: 'approvals', e: executionId, p: '2', n: 'approval' }),
    ).toString('base64url');

    await expect(completeCallback(store, forged, { approved: true, by: 'mallory' }, clock.now)).rejects.toBeInstanceOf(
      InvalidCallbackTokenError,
    );
    expect(await store.loadJournal(key)).toEqual(journalBefore);
    expect(sent[0]).not.toBe(forged);
  });

  it('writes nothing for a well-formed token naming a position that waits for no callback', async () => {
    setUp();
    const executionId = `w10${RUN}`;
    const key = { service: 'approvals', executionId };
    const { handler } = await start(executionId, 'request');
    const journalBefore = await store.loadJournal(key);
    const stray = encodeCallbackToken({ ...key, position: '3', name: 'approval' }, 'not-the-secret');

    await expect(completeCallback(store, stray, { approved: false, by: 'stray' }, clock.now)).rejects.toBeInstanceOf(
      InvalidCallbackTokenError,
    );
    expect(await store.loadJournal(key)).toEqual(journalBefore);

    // The real callback still completes the execution normally.
    await completeCallback(store, sent[0]!, { approved: true, by: 'ann' }, clock.now);
    expect(await handler({ executionId })).toMatchObject({
      status: 'SUCCEEDED',
      output: { decision: { approved: true, by: 'ann' } },
    });
  });

  it('accepts a completion that arrives before the wait was recorded', async () => {
    setUp();
    const { result } = await start(`w7${RUN}`, 'eager', 'memo');

    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: `w7${RUN}`,
      output: { decision: { approved: true, by: 'instant-memo' } },
    });
    expect(sent).toHaveLength(1);
    expect(await store.loadJournal({ service: 'approvals', executionId: `w7${RUN}` })).toMatchObject([
      { position: '1', kind: 'callback', status: 'SUCCEEDED' },
    ]);
    const execution = await store.getExecution({ service: 'approvals', executionId: `w7${RUN}` });
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(execution?.resumeAt).toBeUndefined();
  });

  it('fails the wait with CallbackTimeoutError once its timeout has passed', async () => {
    setUp();
    const startedAt = clock.now();
    const { handler, result } = await start(`w8${RUN}`, 'timed');

    expect(result).toEqual({ status: 'SUSPENDED', executionId: `w8${RUN}`, resumeAt: startedAt + 600_000 });
    expect(await store.loadJournal({ service: 'approvals', executionId: `w8${RUN}` })).toMatchObject([
      { position: '1', kind: 'callback', status: 'STARTED', timeoutAt: startedAt + 600_000 },
    ]);

    clock.advance(300_000);
    expect(await handler({ executionId: `w8${RUN}` })).toEqual({
      status: 'SUSPENDED',
      executionId: `w8${RUN}`,
      resumeAt: startedAt + 600_000,
    });

    clock.advance(300_000);
    const resumed = await handler({ executionId: `w8${RUN}` });
    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: `w8${RUN}`,
      output: { timedOut: true, code: 'CALLBACK_TIMEOUT', timeoutMs: 600_000 },
    });
    expect(await store.loadJournal({ service: 'approvals', executionId: `w8${RUN}` })).toMatchObject([
      { position: '1', kind: 'callback', status: 'FAILED' },
    ]);
    // A completion that comes too late is refused.
    await expect(completeCallback(store, sent[0]!, { approved: true, by: 'late' }, clock.now)).rejects.toBeInstanceOf(
      CallbackAlreadyCompletedError,
    );
  });
});
