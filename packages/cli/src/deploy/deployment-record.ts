import type { DeployedVersion, DeploymentInfo, ManifestService } from '@durable/codegen';
import type { DeployedService } from './deploy.js';
import type { ScheduleOutcome } from './sweep-schedule.js';

/**
 * The manifest's record of a service after a deploy: the live version, its
 * alias and where it went, with the history of versions on the same
 * function of the same API, newest last.
 */
export function deploymentRecord(
  previous: DeploymentInfo | null,
  deployed: {
    version: string;
    qualifiedArn: string;
    functionArn: string;
    aliasArn: string;
    alias: string;
    sha256: string;
    /** Each workflow's `schemaHash` in the code this version runs. */
    schemaHashes: Record<string, string>;
    schedule: ScheduleOutcome | undefined;
  },
  endpoint: string | undefined,
  now: Date,
): DeploymentInfo {
  const sameApi = previous != null && previous.endpoint === endpoint && previous.functionArn === deployed.functionArn;
  // The history is of one function on one API: a deploy elsewhere starts a new one.
  const versions: DeployedVersion[] = sameApi ? [...(previous.versions ?? [])] : [];
  const known = versions.find((v) => v.qualifiedArn === deployed.qualifiedArn);
  const deployedAt =
    sameApi && previous.qualifiedArn === deployed.qualifiedArn && previous.deployedAt !== undefined
      ? previous.deployedAt
      : now.toISOString();
  if (known === undefined) {
    versions.push({
      version: deployed.version,
      codeSha256: deployed.sha256,
      qualifiedArn: deployed.qualifiedArn,
      deployedAt,
      schemaHashes: deployed.schemaHashes,
    });
  }
  return {
    publishedVersion: deployed.version,
    qualifiedArn: deployed.qualifiedArn,
    alias: deployed.alias,
    aliasArn: deployed.aliasArn,
    functionArn: deployed.functionArn,
    codeSha256: deployed.sha256,
    deployedAt,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(deployed.schedule !== undefined && 'name' in deployed.schedule ? { schedule: deployed.schedule.name } : {}),
    versions,
  };
}

/** Each workflow's `schemaHash` of a manifest entry (workflows of manifests written before schemas had none). */
export function schemaHashesOf(entry: ManifestService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entry.workflows).flatMap(([name, workflow]) =>
      workflow.schemaHash === undefined ? [] : [[name, workflow.schemaHash]],
    ),
  );
}

/** Services this run did not deploy that invoke one whose live version it moved. */
export function staleCallers(
  manifest: Record<string, ManifestService>,
  deployed: readonly DeployedService[],
): { service: string; callee: string }[] {
  const moved = new Set(deployed.filter((s) => s.change !== 'unchanged').map((s) => s.name));
  const selected = new Set(deployed.map((s) => s.name));
  return Object.entries(manifest)
    .filter(([name, entry]) => !selected.has(name) && entry.deployment != null)
    .flatMap(([service, entry]) =>
      entry.invokes.filter((callee) => moved.has(callee)).map((callee) => ({ service, callee })),
    )
    .sort((a, b) => a.service.localeCompare(b.service) || a.callee.localeCompare(b.callee));
}
