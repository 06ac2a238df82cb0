import { createHash } from 'node:crypto';
import type { Backend } from '@durable/core';
import type { ServiceModel, WorkflowModel } from '../model.js';
import type { Placement } from './iam.js';
import { arnEnvName, clientName, functionNameOf } from './names.js';

/** What `durable-gen bundle` records of a service's artifact. */
export interface BundleInfo {
  sha256: string;
  coreVersion: string;
  zip: string;
  bytes: number;
}

/** What deploy records: the published version and the qualified ARN callers invoke. */
export interface DeploymentInfo {
  publishedVersion: string;
  qualifiedArn: string;
}

export interface ManifestWorkflow {
  /** The steps the workflow can reach, in source order. */
  steps: string[];
  /** Hash of the ordered steps and their delivery semantics: changes when a deploy could break running executions. */
  stepSchemaHash: string;
}

export interface ManifestService {
  class: string;
  source: string;
  functionName: string;
  functionArn: string;
  account: string;
  region: string;
  table: string;
  backend: Backend;
  client: string;
  targetArnEnv: string;
  invokes: string[];
  workflows: Record<string, ManifestWorkflow>;
  coreVersion: string;
  bundle: BundleInfo | null;
  deployment: DeploymentInfo | null;
}

/**
 * What `generate` was last given: commands that take no paths (`run`,
 * `bundle`) and a `check` or `generate` run without options reuse it.
 */
export interface GenerateOptionsRecord {
  /** Files, folders or globs, relative to the app. */
  paths: string[];
  account?: string;
  region?: string;
  table?: string;
}

/** `manifest.json`. */
export interface Manifest {
  generatedBy: string;
  coreVersion: string;
  /** Absent in manifests written before it was recorded. */
  generateOptions?: GenerateOptionsRecord;
  services: Record<string, ManifestService>;
}

export function stepSchemaHash(workflow: WorkflowModel, service: ServiceModel): string {
  const semantics = new Map(service.steps.map((s) => [s.name, s.semantics]));
  const schema = workflow.steps.map((name) => `${name}:${semantics.get(name) ?? 'at-least-once'}`).join('\n');
  return createHash('sha256').update(schema).digest('hex').slice(0, 16);
}

export function manifestEntry(
  service: ServiceModel,
  placement: Placement,
  coreVersion: string,
  previous: ManifestService | undefined,
): ManifestService {
  const functionName = functionNameOf(service);
  const partition = placement.partition ?? 'aws';
  return {
    class: service.className,
    source: service.source,
    functionName,
    functionArn: `arn:${partition}:lambda:${placement.region}:${placement.account}:function:${functionName}`,
    account: placement.account,
    region: placement.region,
    table: placement.table,
    backend: service.backend ?? 'dynamodb',
    client: clientName(service),
    targetArnEnv: arnEnvName(service),
    invokes: [...new Set(service.invokes.map((i) => i.service))].sort(),
    workflows: Object.fromEntries(
      [...service.workflows]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((w) => [w.name, { steps: w.steps, stepSchemaHash: stepSchemaHash(w, service) }]),
    ),
    coreVersion,
    // Bundles and deployments are recorded by later commands; generating again keeps them.
    bundle: previous?.bundle ?? null,
    deployment: previous?.deployment ?? null,
  };
}
