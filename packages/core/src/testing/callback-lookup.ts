import { decodeCallbackToken } from '../engine/callback-token.js';
import type { PendingCallback } from '../engine/callbacks.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { readExecution } from './test-execution.js';
import { CallbackNotPendingError } from './test-runner-errors.js';

/** The callback a test names, and the top-level execution to resume once it is completed. */
export interface FoundCallback {
  token: string;
  /** The execution the runner started: a child's callback resumes through its parent. */
  topId: string;
}

/**
 * The callback `nameOrToken` means among what the runner's executions (`started`: id → service), or the one
 * execution `id`, wait for: a pending callback's token, else the name of exactly one pending callback, else a
 * token of one of them that no longer waits (completed, timed out), whose completion then says why it refuses.
 */
export async function findPendingCallback(
  store: CheckpointStore,
  started: ReadonlyMap<string, string>,
  nameOrToken: string,
  id: string | undefined,
): Promise<FoundCallback> {
  const pending: { callback: PendingCallback; topId: string }[] = [];
  for (const topId of id === undefined ? started.keys() : [id]) {
    const execution = await readExecution(store, { service: started.get(topId)!, executionId: topId });
    for (const callback of execution.pendingCallbacks) pending.push({ callback, topId });
  }
  const byToken = pending.find((p) => p.callback.token === nameOrToken);
  if (byToken !== undefined) return { token: nameOrToken, topId: byToken.topId };
  const byName = pending.filter((p) => p.callback.name === nameOrToken);
  if (byName.length === 1) return { token: byName[0]!.callback.token, topId: byName[0]!.topId };
  if (byName.length > 1) {
    const where = byName.map((p) => `'${p.callback.executionId}' at ${p.callback.position}`).join(', ');
    throw new CallbackNotPendingError(
      nameOrToken,
      `several executions wait for it (${where}): pass { id } or the callback's token.`,
    );
  }
  const topId = tokenAddress(nameOrToken)?.executionId.split('/')[0];
  if (topId !== undefined && started.has(topId)) return { token: nameOrToken, topId };
  const waiting = pending.map((p) => `'${p.callback.name}' (${p.callback.executionId})`).join(', ');
  throw new CallbackNotPendingError(
    nameOrToken,
    'no execution of this runner waits for a callback of that name or token; ' +
      `${waiting === '' ? 'none waits for any' : `pending: ${waiting}`}.`,
  );
}

function tokenAddress(text: string): { executionId: string } | undefined {
  try {
    return decodeCallbackToken(text);
  } catch {
    return undefined;
  }
}
