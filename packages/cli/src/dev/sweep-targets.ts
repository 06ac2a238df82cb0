import { DEFAULT_ALIAS, SERVICE_TAG } from '../deployed-service.js';
import { highestVersion } from './function-record.js';
import type { FunctionRegistry } from './function-registry.js';
import type { SweepTarget } from './runtime/sweeper-loop.js';

/**
 * Every function tagged as a durable service that has something to sweep
 * with. Like the schedule deploy creates in AWS, the sweep goes to the `live`
 * alias (whichever version is live sweeps, resuming each execution on its
 * pinned version); without one, to the highest published version. A service
 * with no published version is skipped: its `$LATEST` must not run.
 */
export function sweepTargets(registry: FunctionRegistry): SweepTarget[] {
  const targets: SweepTarget[] = [];
  for (const record of registry.all()) {
    const service = record.tags[SERVICE_TAG];
    if (service === undefined) continue;
    const live = record.aliases.find((alias) => alias.name === DEFAULT_ALIAS && alias.functionVersion !== '$LATEST');
    const qualifier = live?.name ?? highestVersion(record)?.version;
    if (qualifier !== undefined) targets.push({ functionName: record.name, service, qualifier });
  }
  return targets;
}
