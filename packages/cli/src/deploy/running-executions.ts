import { diffManifests, type Manifest, type SchemaChange } from '@durable/codegen';
import type { CheckpointStore } from '@durable/core';
import type { PlannedService } from './deploy-plan.js';
import { readDeployedSchema } from './deployed-schema.js';
import { type LocalReplayOutcome, replayOnWorkingTree } from './local-replay.js';
import { listPinnedExecutions } from './pinned-executions.js';

/**
 * What a new version means for a service's running executions, found before it is published: the schema changes
 * against the schema deployed last, and for each execution still running (pinned to an earlier version) whether
 * the code being deployed replays its journal. Pinned executions stay on their version whatever it says: this is
 * what `durable-gen migrate` could move, not a reason to stop the deploy.
 */
export interface RunningExecutionsReport {
  /** Changes against `<generated>/deployed/<service>.json`; absent when no deployed schema was kept. */
  schemaChanges?: SchemaChange[];
  /** One per running execution pinned to a version of the function, oldest version first. */
  executions: LocalReplayOutcome[];
}

/** Builds the {@link RunningExecutionsReport} of one service about to be deployed. */
export async function reportRunningExecutions(options: {
  root: string;
  generatedDir: string;
  manifest: Manifest;
  service: PlannedService;
  /** The unqualified ARN of the service's function: executions are pinned to versions of it. */
  functionArn: string;
  store: CheckpointStore;
}): Promise<RunningExecutionsReport> {
  const { root, generatedDir, service } = options;
  const deployed = readDeployedSchema(root, generatedDir, service.name);
  const schemaChanges =
    deployed === undefined ? undefined : diffManifests(deployed, options.manifest, { service: service.name }).changes;
  const pinned = await listPinnedExecutions(options.store, service.name, options.functionArn);
  const executions = await replayOnWorkingTree(root, service.name, service.entry, options.store, pinned);
  return { ...(schemaChanges === undefined ? {} : { schemaChanges }), executions };
}
