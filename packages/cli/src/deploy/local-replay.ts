import path from 'node:path';
import type { ManifestService } from '@durable/codegen';
import type { CheckpointStore, ReplayVerdict, ServiceClass } from '@durable/core';
import { loadAppRuntime } from '../local/app-runtime.js';
import { requireLegacyDecorators } from '../local/app-tsconfig.js';
import type { PinnedExecution } from './pinned-executions.js';

/** What the working tree's code says of one running execution. */
export type LocalReplayOutcome =
  | { executionId: string; version: string; verdict: ReplayVerdict }
  | { executionId: string; version: string; unchecked: string };

/**
 * Replays the journals of `executions` against the service's code as it is in the app's working tree (what deploy
 * is about to publish), with no side effect: nothing runs, nothing is written. The code is loaded the way
 * `durable-gen run` loads it, with the app's own copy of `@durable/core`, so the class's decorators are the ones
 * the engine reads. Code that cannot be loaded makes every outcome `unchecked`, with the reason: deploy reports
 * it and goes on, since pinned executions are safe whatever the new code does.
 */
export async function replayOnWorkingTree(
  root: string,
  service: string,
  entry: ManifestService,
  store: CheckpointStore,
  executions: readonly PinnedExecution[],
): Promise<LocalReplayOutcome[]> {
  if (executions.length === 0) return [];
  const unchecked = (reason: string): LocalReplayOutcome[] =>
    executions.map(({ record, pinned }) => ({
      executionId: record.executionId,
      version: pinned.version,
      unchecked: reason,
    }));
  let tsconfig: string;
  try {
    tsconfig = requireLegacyDecorators(root);
  } catch (error) {
    return unchecked((error as Error).message);
  }
  const runtime = await loadAppRuntime(root, { tsconfig });
  try {
    let serviceClass: ServiceClass;
    try {
      const module = await runtime.importSource(path.join(root, entry.source));
      const found = module[entry.class];
      if (typeof found !== 'function') return unchecked(`${entry.source} does not export class ${entry.class}`);
      serviceClass = found as ServiceClass;
    } catch (error) {
      return unchecked(`could not load ${entry.source}: ${(error as Error).message}`);
    }
    const outcomes: LocalReplayOutcome[] = [];
    for (const { record, pinned } of executions) {
      const key = { service, executionId: record.executionId };
      const journal = await store.loadJournal(key);
      try {
        const verdict = await runtime.core.replayJournal(serviceClass, runtime.core.exportExecution(record, journal));
        outcomes.push({ executionId: record.executionId, version: pinned.version, verdict });
      } catch (error) {
        // A workflow the code no longer has, say: the execution cannot run on it, which the reason says.
        outcomes.push({
          executionId: record.executionId,
          version: pinned.version,
          unchecked: (error as Error).message,
        });
      }
    }
    return outcomes;
  } finally {
    await runtime.close();
  }
}
