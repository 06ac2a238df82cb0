import { ExecutionNotFoundError, InvalidEventError } from '../errors.js';
import { exportExecution } from '../journal/execution-export.js';
import { type ReplayVerdict, replayJournal } from '../replay/replay-journal.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';

/**
 * Asks a deployed version whether its code replays an execution's journal (`durable-gen migrate` sends it to the
 * version it would move the execution to, before moving it). A shape of its own, checked before any workflow
 * event, like the sweep event: it is never read as one.
 */
export interface ReplayCheckEvent {
  durableReplayCheck: 1;
  /** The service of the execution; must be the handler's own. */
  service: string;
  executionId: string;
}

/** The replay-check event for one execution of `service`. */
export function replayCheckEvent(service: string, executionId: string): ReplayCheckEvent {
  return { durableReplayCheck: 1, service, executionId };
}

/** True for an event that asks for a replay check (whatever else it carries: the shape is reserved). */
export function isReplayCheckEvent(event: unknown): event is { durableReplayCheck: unknown } {
  return typeof event === 'object' && event !== null && Object.hasOwn(event, 'durableReplayCheck');
}

/**
 * The verdict of this code on the execution the event names: its record and journal, read from the handler's own
 * store, replayed with no side effect. Nothing is written: the execution stays exactly as it was, pinned where it
 * was, whatever the verdict.
 *
 * @throws InvalidEventError when the event is malformed or names another service.
 * @throws ExecutionNotFoundError when the store has no such execution.
 */
export async function answerReplayCheck(
  service: new () => object,
  serviceName: string,
  store: CheckpointStore,
  event: { durableReplayCheck: unknown },
): Promise<ReplayVerdict> {
  const fields = event as Record<string, unknown>;
  const expected = `send { "durableReplayCheck": 1, "service": "${serviceName}", "executionId": "<id>" }`;
  if (fields.durableReplayCheck !== 1) {
    throw new InvalidEventError(`a replay check must have "durableReplayCheck": 1: ${expected}`);
  }
  if (fields.service !== serviceName) {
    throw new InvalidEventError(
      `a replay check for service '${String(fields.service)}' reached the handler of '${serviceName}': ${expected}`,
    );
  }
  const { executionId } = fields;
  if (typeof executionId !== 'string' || executionId === '') {
    throw new InvalidEventError(
      `a replay check must name the execution ("executionId": a non-empty string): ${expected}`,
    );
  }
  const key = { service: serviceName, executionId };
  const record = await store.getExecution(key);
  if (record === undefined) {
    throw new ExecutionNotFoundError(
      executionId,
      `service '${serviceName}' has nothing to replay for it: name an execution of this service's table (durable-gen executions list).`,
    );
  }
  return replayJournal(service, exportExecution(record, await store.loadJournal(key)));
}
