import type { ExecutionKey, ExecutionResult, PendingCallback } from '@durable/core';
import { type Output, plural } from '../output.js';
import { listPendingCallbacks } from '../pending-callbacks.js';
import type { LocalApp } from './local-app.js';

/**
 * The SUSPENDED line of a local run, saying what will resume the execution:
 * each callback it (or a service it invoked) waits for, with the command that
 * completes it, and a timer (a sleep, a retry delay) when one wakes it before
 * any callback's deadline. One thing is said on the line itself; several get
 * a line each.
 */
export async function printSuspended(
  app: LocalApp,
  key: ExecutionKey,
  result: Extract<ExecutionResult, { status: 'SUSPENDED' }>,
  elapsed: string,
  output: Output,
): Promise<void> {
  const callbacks = await listPendingCallbacks(app.runtime.core, app.store, { executionId: key.executionId });
  const hints = callbacks.map(
    (callback) =>
      `callback '${callback.name}': durable-gen callbacks complete ${callback.token} --result JSON` +
      (callback.timeoutAt === undefined ? '' : ` (it times out at ${new Date(callback.timeoutAt).toISOString()})`),
  );
  const resumeAt = result.resumeAt;
  // The execution's own timeout caps every wait (an invoked child's too): waking then is no timer of the workflow's.
  const timeoutAt = (await app.store.getExecution(key))?.timeoutAt ?? Number.POSITIVE_INFINITY;
  if (resumeAt !== undefined && resumeAt < Math.min(timeoutAt, await earliestDeadline(app, callbacks))) {
    hints.push(`a timer: run again with --id ${key.executionId} after ${new Date(resumeAt).toISOString()}`);
  }
  const head = `${output.stdout.yellow('SUSPENDED')} after ${elapsed}`;
  if (hints.length === 0) {
    // Nothing known here wakes it (a service this run could not load?): looking again is all there is.
    output.line(`${head}: run again with --id ${key.executionId} to look again`);
  } else if (hints.length === 1) {
    output.line(`${head}, waiting for ${hints[0]}`);
  } else {
    output.line(`${head}, waiting for ${plural(hints.length, 'thing')}:`);
    for (const hint of hints) output.line(`  ${hint}`);
  }
}

/**
 * When the first pending callback gives up: its own timeout, or else its
 * execution's. A wake-up at that time is the callback's deadline (the engine
 * suspends until then), not a timer of the workflow's.
 */
async function earliestDeadline(app: LocalApp, callbacks: readonly PendingCallback[]): Promise<number> {
  let earliest = Number.POSITIVE_INFINITY;
  for (const callback of callbacks) {
    const deadline = callback.timeoutAt ?? (await app.store.getExecution(callback))?.timeoutAt;
    if (deadline !== undefined) earliest = Math.min(earliest, deadline);
  }
  return earliest;
}
