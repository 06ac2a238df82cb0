import type { CheckpointStore, PendingCallback } from '@durable/core';
import { allExecutions } from './find-execution.js';
import type { CoreModule } from './local/app-runtime.js';

/** Which pending callbacks {@link listPendingCallbacks} returns. */
export interface PendingCallbackFilter {
  service?: string;
  /** This execution and the ones it invoked (`<id>/<position>`, at any depth). */
  executionId?: string;
}

/**
 * The callbacks the store's executions wait for, with their tokens (core's
 * `pendingCallbacks` signs them), oldest execution first. Only executions
 * that have not ended are read, one journal each.
 */
export async function listPendingCallbacks(
  core: CoreModule,
  store: CheckpointStore,
  filter: PendingCallbackFilter = {},
): Promise<PendingCallback[]> {
  const executions = (await allExecutions(store, filter.service === undefined ? {} : { service: filter.service }))
    .filter((execution) => execution.status === 'SUSPENDED' || execution.status === 'RUNNING')
    .filter((execution) => filter.executionId === undefined || isInTree(execution.executionId, filter.executionId))
    .reverse();
  const pending: PendingCallback[] = [];
  for (const execution of executions) {
    pending.push(...core.pendingCallbacks(execution, await store.loadJournal(execution)));
  }
  return pending;
}

/** True for `root` itself and for the executions it invoked, whose ids are `<root>/<position>`. */
export function isInTree(executionId: string, root: string): boolean {
  return executionId === root || executionId.startsWith(`${root}/`);
}
