import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CallbackAlreadyCompletedError,
  CallbackExecutionFinishedError,
  CallbackFailedError,
  CallbackTimeoutError,
  type CheckpointStore,
  completeCallback,
  createHandler,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type DurableContext,
  DurableService,
  deserialize,
  type ExecutionKey,
  ExecutionNotFoundError,
  type ExecutionRecord,
  failCallback,
  InvalidCallbackTokenError,
  isDurableError,
  NonDeterminismError,
  type OperationRecord,
  PayloadTooLargeError,
  Step,
  StoreUnavailableError,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { clockStartingNow, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';
import { type CallbackAddress, decodeCallbackToken, encodeCallbackToken, isGenuineToken } from './callback-token.js';

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
      return {
        name: (error as Error).name,
        code: (error as CallbackFailedError).code,
        isCallbackFailed: error instanceof CallbackFailedError,
        isOurs: error instanceof StoreUnavailableError || error instanceof NonDeterminismError,
        retryable: (error as CallbackFailedError).retryable,
        reported: (error as CallbackFailedError).reported,
        doc: input.doc,
      };
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

    // With no timeout of its own the wait lasts at most as long as the execution may (its timeoutAt).
    const suspended = await store.getExecution(key);
    expect(suspended).toMatchObject({ status: 'SUSPENDED', resumeAt: suspended?.timeoutAt });
    expect(result).toEqual({ status: 'SUSPENDED', executionId: `w1${RUN}`, resumeAt: suspended?.timeoutAt });
    expect(sent).toHaveLength(1);
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

    const { timeoutAt } = (await store.getExecution({ service: 'approvals', executionId: `w2${RUN}` }))!;
    expect(again).toEqual({ status: 'SUSPENDED', executionId: `w2${RUN}`, resumeAt: timeoutAt });
    expect(sent).toHaveLength(1);
    expect(prepared).toBe(1);
  });

  it('throws a CallbackFailedError in the workflow, whatever error failCallback was given', async () => {
    setUp();
    const { handler } = await start(`w3${RUN}`, 'guarded', 'invoice');

    // A completer that tries to pass for the store: the workflow must not see a retryable StoreUnavailableError.
    await failCallback(store, sent[0]!, new StoreUnavailableError('approve'), clock.now);
    const resumed = await handler({ executionId: `w3${RUN}` });

    expect(resumed).toEqual({
      status: 'SUCCEEDED',
      executionId: `w3${RUN}`,
      output: {
        name: 'CallbackFailedError',
        code: 'CALLBACK_FAILED',
        isCallbackFailed: true,
        isOurs: false,
        retryable: false,
        reported: {
          name: 'StoreUnavailableError',
          message: new StoreUnavailableError('approve').message,
          code: 'STORE_UNAVAILABLE',
          fields: { retryable: true },
        },
        doc: 'invoice',
      },
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
    // A completion that comes too late is refused: the execution has ended.
    await expect(completeCallback(store, sent[0]!, { approved: true, by: 'late' }, clock.now)).rejects.toBeInstanceOf(
      CallbackExecutionFinishedError,
    );
  });
});

/*
 * The completer's side, against the store alone (no engine): the execution is
 * set up as the engine leaves it, claimed, with its wait recorded at position
 * 2 and suspended without a resumeAt (only a completion resumes it).
 */

const SERVICE = 'approvals';
const OWNER = 'invocation-1';
const DAY_MS = 24 * 60 * 60 * 1_000;

interface Waiting {
  store: CheckpointStore;
  key: ExecutionKey;
  clock: ManualClock;
  token: string;
  address: CallbackAddress;
  expiresAt: number;
}

/** A claim of `key` by `owner`, creating the execution when it is new. */
function claimRequest(key: ExecutionKey, owner: string, secret: string, clock: ManualClock, expiresAt: number) {
  return {
    key,
    workflow: 'request',
    input: { serialized: '{"doc":"contract"}', hash: 'input-hash' },
    owner,
    secret,
    now: clock.now(),
    leaseExpiresAt: clock.now() + 60_000,
    timeoutAt: clock.now() + 30 * DAY_MS,
    expiresAt,
  };
}

/**
 * An execution that waits for the callback `approval` at position 2, claimed
 * `claims` times (its epoch), and the token its submitter was handed.
 */
async function waitingExecution(
  options: { store?: CheckpointStore; claims?: number; recordWait?: boolean } = {},
): Promise<Waiting> {
  const store = options.store ?? testStore();
  const clock = clockStartingNow();
  const key = { service: SERVICE, executionId: uniqueId('completer') };
  const secret = randomUUID();
  const expiresAt = Math.floor(clock.now() / 1_000) + 60 * 24 * 60 * 60;
  const claims = options.claims ?? 1;
  for (let claim = 1; claim <= claims; claim++) {
    const owner = `${OWNER}-${claim}`;
    const outcome = await store.claim(claimRequest(key, owner, secret, clock, expiresAt));
    expect(outcome.kind).toBe('claimed');
    if (claim === 1) {
      const first = record({ position: '1', kind: 'step', name: 'prepare', status: 'SUCCEEDED', result: '"draft"' });
      expect(await store.writeOperation(key, first, null)).toEqual({ ok: true });
    }
    if (claim < claims) {
      expect((await store.transition(key, owner, { status: 'SUSPENDED', resumeAt: clock.now() }, clock.now())).ok);
    }
  }
  const follows = { position: '1', epoch: 1 };
  if (options.recordWait ?? true) {
    const wait = record({
      position: '2',
      kind: 'callback',
      name: 'approval',
      status: 'STARTED',
      epoch: claims,
      follows,
    });
    expect(await store.writeOperation(key, wait, null)).toEqual({ ok: true });
  }
  const last = `${OWNER}-${claims}`;
  expect(await store.transition(key, last, { status: 'SUSPENDED', resumeAt: undefined }, clock.now())).toMatchObject({
    ok: true,
  });
  const address: CallbackAddress = { ...key, position: '2', name: 'approval', epoch: claims, follows };
  return { store, key, clock, token: encodeCallbackToken(address, secret), address, expiresAt };
}

function record(fields: Partial<OperationRecord> & Pick<OperationRecord, 'position' | 'kind' | 'name' | 'status'>) {
  return { argsHash: '', attempt: 1, updatedAt: Date.now(), epoch: 1, ...fields } as OperationRecord;
}

/** Calls of one store method, made through {@link spying}. */
type Calls = Record<keyof CheckpointStore, unknown[][]>;

/**
 * `store`, with `faults` replacing some of its methods (given the real one)
 * and every call recorded in `calls`.
 */
function spying(
  store: CheckpointStore,
  faults: Partial<{ [M in keyof CheckpointStore]: (real: CheckpointStore[M]) => CheckpointStore[M] }> = {},
): { store: CheckpointStore; calls: Calls } {
  const calls = {} as Calls;
  const wrapped = new Proxy(store, {
    get(target, property: keyof CheckpointStore) {
      const real = (Reflect.get(target, property) as (...args: unknown[]) => unknown).bind(target);
      const fault = faults[property] as ((real: unknown) => (...args: unknown[]) => unknown) | undefined;
      const method = fault === undefined ? real : fault(real);
      return (...args: unknown[]) => {
        calls[property] = [...(calls[property] ?? []), args];
        return method(...args);
      };
    },
  });
  return { store: wrapped, calls };
}

/** A store whose first operation write lands, and whose answer is then lost (the connection drops). */
function losingFirstWriteAnswer(store: CheckpointStore): { store: CheckpointStore; calls: Calls } {
  let lost = false;
  return spying(store, {
    writeOperation: (real) => async (key, record, expected) => {
      const written = await real(key, record, expected);
      if (lost) return written;
      lost = true;
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    },
  });
}

/** A store that fails the first resume request: a completer that dies right after its write. */
function failingFirstResume(store: CheckpointStore): CheckpointStore {
  let failed = false;
  return spying(store, {
    requestResume: (real) => async (key, resumeAt) => {
      if (failed) return real(key, resumeAt);
      failed = true;
      throw new Error('the completer died here');
    },
  }).store;
}

async function standingAt(store: CheckpointStore, key: ExecutionKey, position: string) {
  return (await store.loadJournal(key)).find((r) => r.position === position);
}

/** Whether the sweeper would resume the execution now. */
async function isDue(store: CheckpointStore, key: ExecutionKey, clock: ManualClock): Promise<boolean> {
  const execution = await store.getExecution(key);
  const due = await store.findResumable({ service: key.service, now: clock.now(), limit: 1_000 });
  return execution?.resumeAt !== undefined && due.some((r) => r.executionId === key.executionId);
}

describe('completeCallback and failCallback, against the store', () => {
  it('record the outcome over the wait and ask for the resume', async () => {
    const { store, key, clock, token } = await waitingExecution();

    expect(await completeCallback(store, token, { approved: true, by: 'ann' }, { now: clock.now })).toEqual(key);

    expect(await standingAt(store, key, '2')).toMatchObject({ kind: 'callback', status: 'SUCCEEDED' });
    expect(deserialize((await standingAt(store, key, '2'))!.result!)).toEqual({ approved: true, by: 'ann' });
    expect(await isDue(store, key, clock)).toBe(true);
  });

  it('complete a wait that is not recorded yet (the submitter answered first)', async () => {
    const { store, key, clock, token } = await waitingExecution({ recordWait: false });

    await completeCallback(store, token, { approved: true, by: 'ann' }, { now: clock.now });

    expect(await standingAt(store, key, '2')).toMatchObject({
      kind: 'callback',
      name: 'approval',
      status: 'SUCCEEDED',
    });
  });

  describe('a completion whose answer was lost, retried', () => {
    it('succeeds with the same result and asks for the resume again', async () => {
      const waiting = await waitingExecution();
      const { store, calls } = losingFirstWriteAnswer(waiting.store);
      const result = { approved: true, by: 'ann', at: new Date(0) };

      const lost = await rejectionOf(completeCallback(store, waiting.token, result, waiting.clock.now));
      expect(lost).toBeInstanceOf(StoreUnavailableError);
      expect((lost as StoreUnavailableError).retryable).toBe(true);
      // The write landed, the resume was never asked for: without the retry the execution would wait forever.
      expect(await standingAt(waiting.store, waiting.key, '2')).toMatchObject({ status: 'SUCCEEDED' });
      expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(false);

      waiting.clock.advance(1_000);
      await expect(completeCallback(store, waiting.token, result, waiting.clock.now)).resolves.toEqual(waiting.key);

      expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(true);
      expect(deserialize((await standingAt(waiting.store, waiting.key, '2'))!.result!)).toEqual(result);
      expect(calls.requestResume).toHaveLength(1);
    });

    it('succeeds with an equal result built again, its keys in another order', async () => {
      const waiting = await waitingExecution();
      const { store } = losingFirstWriteAnswer(waiting.store);

      await rejectionOf(completeCallback(store, waiting.token, { approved: true, by: 'ann' }, waiting.clock.now));
      await completeCallback(store, waiting.token, { by: 'ann', approved: true }, waiting.clock.now);

      expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(true);
    });

    it('succeeds for failCallback with an error that reports the same', async () => {
      const waiting = await waitingExecution();
      const { store } = losingFirstWriteAnswer(waiting.store);
      const rejection = () => Object.assign(new RangeError('over the approver limit'), { limit: 500 });

      await rejectionOf(failCallback(store, waiting.token, rejection(), waiting.clock.now));
      await expect(failCallback(store, waiting.token, rejection(), waiting.clock.now)).resolves.toEqual(waiting.key);

      expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(true);
    });

    it('refuses another result with CallbackAlreadyCompletedError, and still asks for the resume', async () => {
      const waiting = await waitingExecution();
      const { store } = losingFirstWriteAnswer(waiting.store);

      await rejectionOf(completeCallback(store, waiting.token, { approved: true, by: 'first' }, waiting.clock.now));
      const second = completeCallback(store, waiting.token, { approved: false, by: 'second' }, waiting.clock.now);

      await expect(second).rejects.toBeInstanceOf(CallbackAlreadyCompletedError);
      await expect(failCallback(store, waiting.token, new Error('no'), waiting.clock.now)).rejects.toMatchObject({
        code: 'CALLBACK_ALREADY_COMPLETED',
      });
      // The first completer may never come back: whoever finds its record asks for the resume.
      expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(true);
      expect(deserialize((await standingAt(waiting.store, waiting.key, '2'))!.result!)).toEqual({
        approved: true,
        by: 'first',
      });
    });
  });

  it('resume the execution when retried after the completer died between its write and the resume', async () => {
    const waiting = await waitingExecution();
    const store = failingFirstResume(waiting.store);

    await expect(completeCallback(store, waiting.token, 'yes', waiting.clock.now)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(false);

    await completeCallback(store, waiting.token, 'yes', waiting.clock.now);

    expect(await isDue(waiting.store, waiting.key, waiting.clock)).toBe(true);
  });

  describe('of an execution that has ended', () => {
    for (const status of ['FAILED', 'SUCCEEDED'] as const) {
      it(`refuse it when the execution ${status}, with CallbackExecutionFinishedError, writing nothing`, async () => {
        const waiting = await waitingExecution();
        const { store, key, clock, token } = waiting;
        await store.claim(claimRequest(key, 'finisher', 'unused', clock, waiting.expiresAt));
        const end =
          status === 'FAILED'
            ? { status, error: '{"$t":"Error","v":{"name":"Error","message":"gave up"}}' }
            : { status, output: '1' };
        expect(await store.transition(key, 'finisher', end, clock.now())).toMatchObject({ ok: true });
        const journalBefore = await store.loadJournal(key);
        const executionBefore = await store.getExecution(key);

        const completion = await rejectionOf(completeCallback(store, token, { approved: true, by: 'late' }, clock.now));
        const failure = await rejectionOf(failCallback(store, token, new Error('late'), clock.now));

        for (const refusal of [completion, failure]) {
          expect(refusal).toBeInstanceOf(CallbackExecutionFinishedError);
          expect(refusal).toMatchObject({
            code: 'CALLBACK_EXECUTION_FINISHED',
            executionId: key.executionId,
            position: '2',
            status,
            retryable: false,
          });
        }
        expect(await store.loadJournal(key)).toEqual(journalBefore);
        expect(await store.getExecution(key)).toEqual(executionBefore);
      });
    }

    it('answer a retry of a completion recorded before the execution ended as done', async () => {
      const waiting = await waitingExecution();
      const { store, key, clock, token } = waiting;
      await completeCallback(store, token, { approved: true, by: 'ann' }, clock.now);
      await store.claim(claimRequest(key, 'resumed', 'unused', clock, waiting.expiresAt));
      expect(await store.transition(key, 'resumed', { status: 'SUCCEEDED', output: '1' }, clock.now())).toMatchObject({
        ok: true,
      });

      await expect(completeCallback(store, token, { approved: true, by: 'ann' }, clock.now)).resolves.toEqual(key);
      await expect(completeCallback(store, token, { approved: false, by: 'ann' }, clock.now)).rejects.toBeInstanceOf(
        CallbackExecutionFinishedError,
      );
    });
  });

  describe('errors from the completer', () => {
    it("arrive as CallbackFailedError carrying what they said, never as this package's own classes", async () => {
      const recorded = { kind: 'step', name: 'charge', argsHash: 'a1' } as const;
      const forgeries: unknown[] = [
        new StoreUnavailableError('claim'),
        new NonDeterminismError('1', recorded, null),
        Object.assign(new Error('forged'), { name: 'NonDeterminismError', code: 'NON_DETERMINISM', position: '1' }),
        Object.assign(new Error('nested'), {
          inner: new StoreUnavailableError('x'),
          cause: new StoreUnavailableError('y'),
        }),
      ];

      for (const forged of forgeries) {
        const { store, key, clock, token } = await waitingExecution();
        await failCallback(store, token, forged, clock.now);

        const error = deserialize<CallbackFailedError>((await standingAt(store, key, '2'))!.error!);
        expect(error).toBeInstanceOf(CallbackFailedError);
        expect(error).not.toBeInstanceOf(StoreUnavailableError);
        expect(error).not.toBeInstanceOf(NonDeterminismError);
        expect(error.code).toBe('CALLBACK_FAILED');
        expect(error.retryable).toBe(false);
        expect(error.callbackName).toBe('approval');
        expect(error.reported.name).toBe((forged as Error).name);
        expect(error.reported.message).toBe((forged as Error).message);
        // The message quotes the reported one (long ones cut, whole in `reported.message`).
        expect(error.message).toContain((forged as Error).message.slice(0, 120));
        expect(JSON.stringify(error.reported)).not.toContain('"$t"');
        for (const value of [...Object.values(error.reported.fields), error.reported.cause]) {
          expect(value instanceof Error || isDurableError(value)).toBe(false);
        }
      }
    });

    it('keep their code and own fields as plain data', async () => {
      const { store, key, clock, token } = await waitingExecution();
      const rejection = Object.assign(new Error('card declined'), { code: 'CARD_DECLINED', statusCode: 402 });

      await failCallback(store, token, rejection, clock.now);

      const error = deserialize<CallbackFailedError>((await standingAt(store, key, '2'))!.error!);
      expect(error.reported).toEqual({
        name: 'Error',
        message: 'card declined',
        code: 'CARD_DECLINED',
        fields: { statusCode: 402 },
      });
    });

    it("inside a completed result come back as plain errors, not as this package's classes", async () => {
      const { store, key, clock, token } = await waitingExecution();

      await completeCallback(store, token, { failure: new StoreUnavailableError('claim') }, clock.now);

      const result = deserialize<{ failure: Error & { code: string } }>((await standingAt(store, key, '2'))!.result!);
      expect(result.failure).toBeInstanceOf(Error);
      expect(result.failure).not.toBeInstanceOf(StoreUnavailableError);
      expect(isDurableError(result.failure)).toBe(false);
      expect(result.failure).toMatchObject({ name: 'StoreUnavailableError', code: 'STORE_UNAVAILABLE' });
    });
  });

  describe('maxPayloadBytes', () => {
    it('refuses a result over the limit with PayloadTooLargeError, writing nothing', async () => {
      const { store, key, clock, token } = await waitingExecution();
      const journalBefore = await store.loadJournal(key);
      const executionBefore = await store.getExecution(key);

      const tooLarge = await rejectionOf(
        completeCallback(store, token, 'x'.repeat(2_000), { now: clock.now, maxPayloadBytes: 1_000 }),
      );
      const errorTooLarge = await rejectionOf(
        failCallback(store, token, new Error('y'.repeat(2_000)), { now: clock.now, maxPayloadBytes: 1_000 }),
      );

      expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
      expect(tooLarge).toMatchObject({ sizeBytes: 2_002, maxBytes: 1_000 });
      expect((tooLarge as Error).message).toContain("the result of callback 'approval'");
      expect(errorTooLarge).toBeInstanceOf(PayloadTooLargeError);
      expect((errorTooLarge as Error).message).toContain("the error of callback 'approval'");
      expect(await store.loadJournal(key)).toEqual(journalBefore);
      expect(await store.getExecution(key)).toEqual(executionBefore);

      await completeCallback(store, token, 'x'.repeat(900), { now: clock.now, maxPayloadBytes: 1_000 });
      expect(await standingAt(store, key, '2')).toMatchObject({ status: 'SUCCEEDED' });
    });

    it("defaults to the handler's 2 MiB", async () => {
      const { store, key, clock, token } = await waitingExecution();

      const refusal = await rejectionOf(
        completeCallback(store, token, 'x'.repeat(DEFAULT_MAX_PAYLOAD_BYTES), clock.now),
      );

      expect(DEFAULT_MAX_PAYLOAD_BYTES).toBe(2 * 1024 * 1024);
      expect(refusal).toBeInstanceOf(PayloadTooLargeError);
      expect(refusal).toMatchObject({ maxBytes: DEFAULT_MAX_PAYLOAD_BYTES });
      expect(await standingAt(store, key, '2')).toMatchObject({ status: 'STARTED' });
    });
  });

  describe("the completer's record", () => {
    /** The store, answering getExecution with `expiresAt` as this version's stores keep it (or without any). */
    function withExpiry(store: CheckpointStore, expiresAt: number | undefined) {
      return spying(store, {
        getExecution: (real) => async (key) => {
          const execution = await real(key);
          if (execution === undefined) return undefined;
          const { expiresAt: _kept, ...rest } = execution;
          return (expiresAt === undefined ? rest : { ...rest, expiresAt }) as ExecutionRecord;
        },
      });
    }

    it("carries the epoch the completer read, the execution's expiresAt and the record the wait followed", async () => {
      const waiting = await waitingExecution({ claims: 3 });
      const { store, calls } = withExpiry(waiting.store, waiting.expiresAt);

      await completeCallback(store, waiting.token, 'yes', waiting.clock.now);

      const written = calls.writeOperation!.map((args) => args[1] as OperationRecord);
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({
        position: '2',
        kind: 'callback',
        name: 'approval',
        status: 'SUCCEEDED',
        epoch: 3,
        expiresAt: waiting.expiresAt,
        follows: { position: '1', epoch: 1 },
      });
      expect((await standingAt(waiting.store, waiting.key, '2'))?.status).toBe('SUCCEEDED');
    });

    it('has no expiresAt when the execution has none (recorded by an earlier version)', async () => {
      const waiting = await waitingExecution();
      const { store, calls } = withExpiry(waiting.store, undefined);

      await failCallback(store, waiting.token, new Error('no'), waiting.clock.now);

      const written = calls.writeOperation![0]![1] as OperationRecord;
      expect(written).toMatchObject({ status: 'FAILED', epoch: 1 });
      expect('expiresAt' in written).toBe(false);
    });
  });

  describe('tokens', () => {
    it('sign the epoch and the record followed: a token with either changed is refused', async () => {
      const { store, key, clock, address, token } = await waitingExecution();
      const payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>;
      const altered = (change: Record<string, unknown>) =>
        Buffer.from(JSON.stringify({ ...payload, ...change })).toString('base64url');

      for (const forged of [altered({ fe: 2 }), altered({ fp: '0' }), altered({ ep: 9 }), altered({ ep: undefined })]) {
        await expect(completeCallback(store, forged, 'yes', clock.now)).rejects.toBeInstanceOf(
          InvalidCallbackTokenError,
        );
      }
      expect(await standingAt(store, key, '2')).toMatchObject({ status: 'STARTED' });
      expect(decodeCallbackToken(token)).toMatchObject({ ...address });
    });

    it('without epoch and follows keep the signature of earlier versions', () => {
      const address = { service: 's', executionId: 'e', position: '3', name: 'n' };
      // The signature tokens of earlier versions carry.
      const earlier = createHmac('sha256', 'secret').update('s\ne\n3\nn').digest('base64url');

      const decoded = decodeCallbackToken(encodeCallbackToken(address, 'secret'));

      expect(decoded.signature).toBe(earlier);
      expect(isGenuineToken(decoded, earlier, 'secret')).toBe(true);
    });
  });
});
