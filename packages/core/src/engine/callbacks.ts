import { CallbackAlreadyCompletedError, ExecutionNotFoundError, InvalidCallbackTokenError } from '../errors.js';
import type { OperationRecord } from '../journal/records.js';
import { serialize, serializeError } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { guardStore } from '../stores/store-guard.js';
import { type CallbackAddress, decodeCallbackToken, isGenuineToken } from './callback-token.js';

/** What completing a callback did: which execution to re-invoke so it resumes. */
export interface CallbackCompletion {
  service: string;
  executionId: string;
}

/**
 * Completes the callback a workflow waits for in `ctx.waitForCallback`, with
 * `result` as what that call resolves to, and marks the execution to be
 * resumed. Re-invoke the function with `{ executionId }` (or let the sweeper)
 * to continue it. A second completion of the same token is refused with
 * `CallbackAlreadyCompletedError`.
 */
export async function completeCallback(
  store: CheckpointStore,
  token: string,
  result: unknown,
  now: () => number = Date.now,
): Promise<CallbackCompletion> {
  const address = decodeCallbackToken(token);
  const value = serialize(result, `the result of callback '${address.name}'`);
  return settleCallback(store, address, { status: 'SUCCEEDED', result: value }, now);
}

/** Fails the callback: `ctx.waitForCallback` throws `error` in the workflow. */
export async function failCallback(
  store: CheckpointStore,
  token: string,
  error: unknown,
  now: () => number = Date.now,
): Promise<CallbackCompletion> {
  const address = decodeCallbackToken(token);
  return settleCallback(store, address, { status: 'FAILED', error: serializeError(error) }, now);
}

async function settleCallback(
  rawStore: CheckpointStore,
  address: CallbackAddress & { signature: string },
  outcome: Pick<OperationRecord, 'status' | 'result' | 'error'>,
  now: () => number,
): Promise<CallbackCompletion> {
  const store = guardStore(rawStore);
  const key = { service: address.service, executionId: address.executionId };
  const record: OperationRecord = {
    position: address.position,
    kind: 'callback',
    name: address.name,
    argsHash: '',
    attempt: 1,
    updatedAt: now(),
    ...outcome,
  };
  // One read: a token of an unknown execution, or one the execution did not issue, writes nothing.
  const execution = await store.getExecution(key);
  if (execution === undefined) throw new ExecutionNotFoundError(address.executionId);
  if (execution.secret === undefined || !isGenuineToken(address, address.signature, execution.secret)) {
    throw new InvalidCallbackTokenError('it was not issued by this execution (its signature does not match)');
  }
  let written = await store.writeOperation(key, record, { status: 'STARTED', attempt: 1 });
  // The submitter may complete the callback before the workflow recorded its wait: then the completion comes first.
  if (!written.ok && written.current === undefined) written = await store.writeOperation(key, record, null);
  if (!written.ok) {
    if (written.current === undefined) throw new ExecutionNotFoundError(address.executionId);
    throw new CallbackAlreadyCompletedError(address.position);
  }
  await store.requestResume(key, now());
  return key;
}
