import {
  CallbackAlreadyCompletedError,
  CallbackExecutionFinishedError,
  CallbackFailedError,
  ConfigurationError,
  ExecutionNotFoundError,
  InvalidCallbackTokenError,
  PayloadTooLargeError,
} from '../errors.js';
import type { Resumer } from '../invoke/resumer.js';
import {
  type ExecutionKey,
  type ExecutionRecord,
  type ExpectedOperation,
  isFinalStatus,
  type OperationRecord,
} from '../journal/records.js';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  describeError,
  deserialize,
  serialize,
  serializeBounded,
  serializeError,
} from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { guardStore } from '../stores/store-guard.js';
import { type CallbackAddress, decodeCallbackToken, encodeCallbackToken, isGenuineToken } from './callback-token.js';

/** What completing a callback did: which execution to re-invoke so it resumes. */
export interface CallbackCompletion {
  service: string;
  executionId: string;
  /**
   * With a `resumer`: the qualified ARN the resume was sent to (the version the execution is pinned to), or why
   * none was sent (the sweeper resumes it then). Absent without a resumer.
   */
  resume?: { sentTo: string } | { notSent: string };
}

/** A callback an execution waits for, and the token that completes it. */
export interface PendingCallback extends ExecutionKey {
  /** The `ctx.waitForCallback` name. */
  name: string;
  /** Its position in the journal, e.g. `3` or `5.1.2` inside a parallel branch. */
  position: string;
  /** Epoch ms the wait was recorded. */
  since: number;
  /** Epoch ms it times out, when it has a timeout. */
  timeoutAt?: number;
  /** What {@link completeCallback} and {@link failCallback} take: the token the submitter was handed. */
  token: string;
}

/**
 * The callbacks `execution` waits for, in journal order, each with its token:
 * the very token `ctx.waitForCallback` handed its submitter, signed again
 * from the execution's secret, so that tools (`durable-gen callbacks list`,
 * tests) can complete a callback whose submitter kept no token. Reading the
 * record and journal needs the same access as completing. An execution that
 * has ended waits for nothing; one without a secret (written by an older
 * version of this package) has no token to give.
 */
export function pendingCallbacks(execution: ExecutionRecord, journal: readonly OperationRecord[]): PendingCallback[] {
  const { secret } = execution;
  if (secret === undefined || isFinalStatus(execution.status)) return [];
  const key = { service: execution.service, executionId: execution.executionId };
  return journal
    .filter((record) => record.kind === 'callback' && record.status === 'STARTED')
    .map((wait) => {
      // The address the wait signed when it was recorded: its writer's epoch and the record it followed.
      const address: CallbackAddress = {
        ...key,
        position: wait.position,
        name: wait.name,
        epoch: wait.epoch,
        ...(wait.follows === undefined ? {} : { follows: wait.follows }),
      };
      return {
        ...key,
        name: wait.name,
        position: wait.position,
        since: wait.updatedAt,
        ...(wait.timeoutAt === undefined ? {} : { timeoutAt: wait.timeoutAt }),
        token: encodeCallbackToken(address, secret),
      };
    });
}

/** Options of {@link completeCallback} and {@link failCallback}. */
export interface CallbackCompletionOptions {
  /** The clock, in epoch ms, of the record and the resume request. Default `Date.now`. */
  now?: () => number;
  /**
   * Largest serialized result (or error) accepted, in bytes; a larger one is
   * refused with `PayloadTooLargeError` and nothing is written. Default
   * {@link DEFAULT_MAX_PAYLOAD_BYTES} (2 MiB), the handler's default: pass the
   * `maxPayloadBytes` of the service when it sets another.
   */
  maxPayloadBytes?: number;
  /**
   * Resumes the execution at once, on the version it is pinned to, once the
   * outcome is recorded (e.g. `new LambdaResumer()` from `@durable/core/lambda`):
   * without it, or when the resume cannot be sent, the execution waits for
   * the sweeper. A failed resume never undoes the completion.
   */
  resumer?: Resumer;
}

/**
 * Completes the callback a workflow waits for in `ctx.waitForCallback`, with
 * `result` as what that call resolves to, and marks the execution to be
 * resumed. Re-invoke the function with `{ executionId }` (or let the sweeper)
 * to continue it.
 *
 * Safe to retry: completing a token again with the same result (after a lost
 * answer, a timeout, a crash) succeeds and asks for the resume again. Another
 * result for a completed token is refused with `CallbackAlreadyCompletedError`;
 * a callback of an execution that has ended, with
 * `CallbackExecutionFinishedError`; a result over `maxPayloadBytes`, with
 * `PayloadTooLargeError`. Refusals write nothing. Errors inside `result` come
 * back in the workflow as plain errors, never as this package's classes.
 *
 * `options` may also be the clock alone (`completeCallback(store, token, result, now)`).
 */
export async function completeCallback(
  store: CheckpointStore,
  token: string,
  result: unknown,
  options: CallbackCompletionOptions | (() => number) = {},
): Promise<CallbackCompletion> {
  const address = decodeCallbackToken(token);
  const { now, maxPayloadBytes, resumer } = completionSettings(options);
  const value = serializeBounded(result, `the result of callback '${address.name}'`, maxPayloadBytes, {
    foreignErrors: true,
  });
  return settleCallback(store, address, { status: 'SUCCEEDED', result: value }, now, resumer);
}

/**
 * Fails the callback: `ctx.waitForCallback` throws a `CallbackFailedError`
 * in the workflow (code `CALLBACK_FAILED`, not retryable) whose `reported`
 * holds what `error` said (name, message, code, own fields) as plain data:
 * whatever the completer passes, the workflow never sees it as one of this
 * package's own errors. Retries, refusals and `options` as for
 * {@link completeCallback}; "the same error" is one that reports the same.
 */
export async function failCallback(
  store: CheckpointStore,
  token: string,
  error: unknown,
  options: CallbackCompletionOptions | (() => number) = {},
): Promise<CallbackCompletion> {
  const address = decodeCallbackToken(token);
  const { now, maxPayloadBytes, resumer } = completionSettings(options);
  const failure = new CallbackFailedError(address.name, address.position, describeError(error));
  // The completer's frames mean nothing to the workflow, and a retry must record the very same text.
  failure.stack = `${failure.name}: ${failure.message}`;
  const text = serializeError(failure);
  const size = Buffer.byteLength(text);
  if (size > maxPayloadBytes) {
    throw new PayloadTooLargeError(`the error of callback '${address.name}'`, size, maxPayloadBytes);
  }
  return settleCallback(store, address, { status: 'FAILED', error: text }, now, resumer);
}

function completionSettings(options: CallbackCompletionOptions | (() => number)): {
  now: () => number;
  maxPayloadBytes: number;
  resumer: Resumer | undefined;
} {
  const {
    now = Date.now,
    maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES,
    resumer,
  } = typeof options === 'function' ? { now: options } : options;
  if (!(Number.isSafeInteger(maxPayloadBytes) && maxPayloadBytes > 0)) {
    throw new ConfigurationError(`maxPayloadBytes must be a positive whole number of bytes (got ${maxPayloadBytes}).`);
  }
  return { now, maxPayloadBytes, resumer };
}

type CallbackOutcome = { status: 'SUCCEEDED'; result: string } | { status: 'FAILED'; error: string };

async function settleCallback(
  rawStore: CheckpointStore,
  address: CallbackAddress & { signature: string },
  outcome: CallbackOutcome,
  now: () => number,
  resumer: Resumer | undefined,
): Promise<CallbackCompletion> {
  const store = guardStore(rawStore);
  const key = { service: address.service, executionId: address.executionId };
  // One read: a token of an unknown execution, or one the execution did not issue, writes nothing.
  const execution = await store.getExecution(key);
  if (execution === undefined) {
    throw new ExecutionNotFoundError(
      address.executionId,
      'its callback token cannot be completed: the execution may have expired (retention) or the token names another table.',
    );
  }
  if (execution.secret === undefined || !isGenuineToken(address, address.signature, execution.secret)) {
    throw new InvalidCallbackTokenError('it was not issued by this execution (its signature does not match)');
  }
  if (isFinalStatus(execution.status)) {
    // Its journal is final. Only this very completion, recorded before the execution ended, is an answer.
    const journal = await store.loadJournal(key);
    const standing = journal.find((record) => record.position === address.position);
    if (standing !== undefined && isSameCompletion(standing, address, outcome)) return key;
    throw new CallbackExecutionFinishedError(address.executionId, address.position, execution.status);
  }
  const record: OperationRecord = {
    position: address.position,
    kind: 'callback',
    name: address.name,
    argsHash: '',
    attempt: 1,
    updatedAt: now(),
    // The epoch the completer saw: a completion never passes for a newer invocation's record.
    epoch: execution.invocations,
    ...(address.follows === undefined ? {} : { follows: address.follows }),
    ...(execution.expiresAt === undefined ? {} : { expiresAt: execution.expiresAt }),
    ...outcome,
  };
  const standing = await writeCompletion(store, key, record);
  // Whoever wrote a final record there (this completer before a lost answer or a crash, another completer, the
  // timeout) may have died before asking for the resume: ask again, or the execution stays suspended for good.
  await store.requestResume(key, now());
  if (standing !== undefined && !isSameCompletion(standing, address, outcome)) {
    throw new CallbackAlreadyCompletedError(address.position);
  }
  return resumer === undefined ? key : { ...key, resume: await resumeNow(resumer, execution) };
}

/** Sends the resume of `execution` to its pinned version; says why not when it cannot. */
async function resumeNow(resumer: Resumer, execution: ExecutionRecord): Promise<CallbackCompletion['resume']> {
  const pinned = execution.pinnedVersion;
  if (pinned === undefined) return { notSent: 'the execution is pinned to no version' };
  // A child is resumed by its parent's retry of the invoke, which the sweeper of the parent's service sends.
  if (execution.executionId.includes('/')) return { notSent: 'a child execution resumes through its parent' };
  const sentTo = `${pinned.functionArn}:${pinned.version}`;
  try {
    await resumer.resume(sentTo, execution.executionId);
    return { sentTo };
  } catch (error) {
    return { notSent: `the resume was refused (${error instanceof Error ? error.message : String(error)})` };
  }
}

const STARTED_WAIT: ExpectedOperation = { status: 'STARTED', attempt: 1 };

/**
 * Writes the completion over the recorded wait, or in its place when the
 * submitter answered before the wait was recorded. Undefined when it was
 * written; otherwise the final record that stands there instead.
 */
async function writeCompletion(
  store: CheckpointStore,
  key: ExecutionKey,
  record: OperationRecord,
): Promise<OperationRecord | undefined> {
  // A position only moves forward (nothing, the wait, a final record), so three tries settle it: the wait, nothing,
  // then the wait again if it was recorded meanwhile.
  let expected: ExpectedOperation = STARTED_WAIT;
  for (let tries = 0; tries < 3; tries++) {
    const written = await store.writeOperation(key, record, expected);
    if (written.ok) return undefined;
    const current = written.current;
    if (current === undefined) {
      if (expected === null) {
        throw new ExecutionNotFoundError(key.executionId, 'its callback cannot be recorded: the execution is gone.');
      }
      expected = null;
    } else if (isFinalStatus(current.status)) {
      return current;
    } else if (current.kind === 'callback' && current.status === 'STARTED' && current.attempt === 1) {
      expected = STARTED_WAIT;
    } else {
      break;
    }
  }
  throw new InvalidCallbackTokenError(`position ${record.position} holds no callback waiting for it`);
}

/** True when `standing` is this completion: the same callback, settled the same way with an equal value. */
function isSameCompletion(standing: OperationRecord, address: CallbackAddress, outcome: CallbackOutcome): boolean {
  if (standing.kind !== 'callback' || standing.name !== address.name || standing.status !== outcome.status) {
    return false;
  }
  const recorded = standing.status === 'SUCCEEDED' ? standing.result : standing.error;
  const offered = outcome.status === 'SUCCEEDED' ? outcome.result : outcome.error;
  if (recorded === undefined) return false;
  if (recorded === offered) return true;
  // Equal values, written with their keys in another order (a retry that rebuilt its answer).
  const canonical = canonicalText(recorded);
  return canonical !== undefined && canonical === canonicalText(offered);
}

function canonicalText(text: string): string | undefined {
  try {
    return serialize(deserialize(text), 'a callback outcome', { canonical: true });
  } catch {
    return undefined;
  }
}
