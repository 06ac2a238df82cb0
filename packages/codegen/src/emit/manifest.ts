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

/**
 * What `durable-gen deploy` records of a service: the published version that
 * is live, the qualified ARN callers invoke, and where it went. Fields other
 * than `publishedVersion` and `qualifiedArn` are absent in manifests written
 * before deploy recorded them.
 */
export interface DeploymentInfo {
  /** The version the alias points to, e.g. `'3'`. */
  publishedVersion: string;
  /** The version's ARN (`…:function:<name>:<version>`): what callers' `targetArnEnv` holds. */
  qualifiedArn: string;
  /** The alias deploy moved to this version, e.g. `'live'`. */
  alias?: string;
  /** `…:function:<name>:<alias>`: where new executions (and the sweep schedule) are sent. */
  aliasArn?: string;
  /** The unqualified function ARN, as the Lambda API reported it. */
  functionArn?: string;
  /** Hex sha256 of the deployed zip (the bundle's `sha256`). */
  codeSha256?: string;
  /** When this version went live (ISO 8601). */
  deployedAt?: string;
  /** The Lambda API deployed to, when not AWS's own (`--endpoint`, e.g. `durable-gen dev`). */
  endpoint?: string;
  /** The EventBridge Scheduler schedule that sends the sweep event, when deploy made one. */
  schedule?: string;
  /** Every version deploys published, oldest first: what running executions may still be pinned to. */
  versions?: DeployedVersion[];
}

/** One version a deploy published. */
export interface DeployedVersion {
  version: string;
  /** Hex sha256 of its zip. */
  codeSha256: string;
  qualifiedArn: string;
  deployedAt: string;
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
