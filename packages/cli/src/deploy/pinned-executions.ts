import type { CheckpointStore, ExecutionRecord, PinnedVersion } from '@durable/core';
import { allExecutions } from '../find-execution.js';

/** A running execution (RUNNING or SUSPENDED) and the published version it is pinned to. */
export interface PinnedExecution {
  record: ExecutionRecord;
  pinned: PinnedVersion;
}

/** Statuses of executions that will run again, on the version they are pinned to. */
const RUNNING_STATUSES = ['RUNNING', 'SUSPENDED'] as const;

/**
 * The service's executions that will still run (RUNNING or SUSPENDED) and are pinned to a version of the function
 * `functionArn`, oldest version first, then by id. Executions pinned to no version (started outside Lambda) or to
 * another function are left out: no version of this function will run them.
 */
export async function listPinnedExecutions(
  store: CheckpointStore,
  service: string,
  functionArn: string,
): Promise<PinnedExecution[]> {
  const found: PinnedExecution[] = [];
  for (const status of RUNNING_STATUSES) {
    for (const record of await allExecutions(store, { service, status })) {
      const pinned = record.pinnedVersion;
      if (pinned !== undefined && pinned.functionArn === functionArn) found.push({ record, pinned });
    }
  }
  return found.sort(
    (a, b) =>
      Number(a.pinned.version) - Number(b.pinned.version) || a.record.executionId.localeCompare(b.record.executionId),
  );
}

/** The execution ids pinned to each version, versions in numeric order. */
export function executionsByVersion(executions: readonly PinnedExecution[]): Map<string, string[]> {
  const byVersion = new Map<string, string[]>();
  for (const { record, pinned } of executions) {
    byVersion.set(pinned.version, [...(byVersion.get(pinned.version) ?? []), record.executionId]);
  }
  return byVersion;
}
