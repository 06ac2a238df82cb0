import { DeleteFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CheckpointStore } from '@durable/core';
import { apiCall } from './deploy-error.js';
import { listAliasTargets, listPublishedVersions } from './function-versions.js';
import { executionsByVersion, listPinnedExecutions } from './pinned-executions.js';

/** A version `--prune-versions` kept, and why. */
export type KeptVersion =
  | { version: string; reason: 'live' }
  | { version: string; reason: 'alias'; aliases: string[] }
  | { version: string; reason: 'executions'; executionIds: string[] };

/** What `--prune-versions` did to one service's function. */
export interface PruneOutcome {
  service: string;
  deleted: string[];
  /** Versions older than the live one that stay, each with its reason; newer ones are never considered. */
  kept: KeptVersion[];
}

/**
 * Deletes the published versions of a service's function older than `live` that nothing needs any more: no alias
 * points to one (not even by its routing weights), and no running execution (RUNNING or SUSPENDED) is pinned to
 * one. A version with pinned executions must stay: they can only replay on the code that recorded them. The
 * executions are listed again here, after the deploy, so one started meanwhile on an old version is seen.
 */
export async function pruneVersions(options: {
  lambda: LambdaClient;
  store: CheckpointStore;
  service: string;
  functionName: string;
  functionArn: string;
  live: string;
}): Promise<PruneOutcome> {
  const { lambda, service, functionName } = options;
  const versions = await listPublishedVersions(lambda, service, functionName);
  const aliases = await listAliasTargets(lambda, service, functionName);
  const pinned = executionsByVersion(await listPinnedExecutions(options.store, service, options.functionArn));
  const outcome: PruneOutcome = { service, deleted: [], kept: [{ version: options.live, reason: 'live' }] };
  for (const version of versions.filter((v) => Number(v) < Number(options.live))) {
    const aliasNames = aliases.get(version);
    const executionIds = pinned.get(version);
    if (aliasNames !== undefined) {
      outcome.kept.push({ version, reason: 'alias', aliases: aliasNames });
    } else if (executionIds !== undefined) {
      outcome.kept.push({ version, reason: 'executions', executionIds });
    } else {
      await apiCall(service, 'DeleteFunction', () =>
        lambda.send(new DeleteFunctionCommand({ FunctionName: functionName, Qualifier: version })),
      );
      outcome.deleted.push(version);
    }
  }
  outcome.kept.sort((a, b) => Number(a.version) - Number(b.version));
  return outcome;
}
