import { createHash } from 'node:crypto';
import type { Backend } from '@durable/core';
import { type DurableConfigRecord, durableConfigOf } from '../lambda-durable/durable-config.js';
import { backendOf, type ServiceModel, type WorkflowModel } from '../model.js';
import { operationSchemaHash } from '../schema/schema-hash.js';
import type { SchemaNode } from '../schema/schema-nodes.js';
import type { Placement } from './iam.js';
import { arnEnvName, clientName, functionNameOf } from './names.js';

/** What `durable-gen bundle` records of a service's artifact. */
export interface BundleInfo {
  sha256: string;
  coreVersion: string;
  zip: string;
  bytes: number;
  /** The `@aws/durable-execution-sdk-js` version inside the bundle: only for a service on backend `lambda-durable`. */
  durableSdkVersion?: string;
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
  /** Each workflow's `schemaHash` in the code this version runs (absent for versions deployed before schemas). */
  schemaHashes?: Record<string, string>;
}

export interface ManifestWorkflow {
  /** The steps the workflow can reach, in source order. */
  steps: string[];
  /** Hash of the ordered steps and their delivery semantics: changes when a deploy could break running executions. */
  stepSchemaHash: string;
  /** {@link operationSchemaHash} of `operations`: equal hashes, equal schemas (lines aside). */
  schemaHash: string;
  /**
   * The workflow's operation schema (lines refer to the service's `source`): what `durable-gen diff` compares.
   * Absent in manifests written before it was recorded.
   */
  operations: SchemaNode[];
}

export interface ManifestService {
  class: string;
  source: string;
  functionName: string;
  functionArn: string;
  account: string;
  region: string;
  /**
   * The DynamoDB checkpoint table of a service on backend `dynamodb`. Absent for one on `lambda-durable`, which
   * keeps its journal in the service and has no table (nor any table in its IAM policy).
   */
  table?: string;
  backend: Backend;
  client: string;
  targetArnEnv: string;
  invokes: string[];
  workflows: Record<string, ManifestWorkflow>;
  coreVersion: string;
  /**
   * Backend `lambda-durable`: the `@aws/durable-execution-sdk-js` version its handler asserts at cold start (the
   * one `@durable/core` pins), which its bundle must contain.
   */
  durableSdkVersion?: string;
  /** Backend `lambda-durable`: Lambda's `DurableConfig`, which deploy sets when it creates the function. */
  durableConfig?: DurableConfigRecord;
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

function manifestWorkflow(workflow: WorkflowModel, service: ServiceModel): ManifestWorkflow {
  return {
    steps: workflow.steps,
    stepSchemaHash: stepSchemaHash(workflow, service),
    schemaHash: operationSchemaHash(workflow.operations),
    operations: workflow.operations,
  };
}

/** The versions a manifest entry records: what the handler asserts. */
export interface EntryVersions {
  coreVersion: string;
  /** The SDK version a `lambda-durable` handler asserts. */
  durableSdkVersion: string;
}

/**
 * The manifest's entry of a service. A service on backend `lambda-durable` records no table, and records the
 * SDK version and its `DurableConfig` instead; one on `dynamodb` has the shape manifests always had.
 */
export function manifestEntry(
  service: ServiceModel,
  placement: Placement,
  versions: EntryVersions,
  previous: ManifestService | undefined,
): ManifestService {
  const functionName = functionNameOf(service);
  const partition = placement.partition ?? 'aws';
  const backend = backendOf(service);
  const isLambdaDurable = backend === 'lambda-durable';
  return {
    class: service.className,
    source: service.source,
    functionName,
    functionArn: `arn:${partition}:lambda:${placement.region}:${placement.account}:function:${functionName}`,
    account: placement.account,
    region: placement.region,
    ...(isLambdaDurable ? {} : { table: placement.table }),
    backend,
    client: clientName(service),
    targetArnEnv: arnEnvName(service),
    invokes: [...new Set(service.invokes.map((i) => i.service))].sort(),
    workflows: Object.fromEntries(
      [...service.workflows]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((w) => [w.name, manifestWorkflow(w, service)]),
    ),
    coreVersion: versions.coreVersion,
    ...(isLambdaDurable
      ? { durableSdkVersion: versions.durableSdkVersion, durableConfig: durableConfigRecord(service) }
      : {}),
    // Bundles and deployments are recorded by later commands; generating again keeps them.
    bundle: previous?.bundle ?? null,
    deployment: previous?.deployment ?? null,
  };
}

/** The `DurableConfig` of a `lambda-durable` service; `check` has refused every service whose lifetimes do not fit. */
function durableConfigRecord(service: ServiceModel): DurableConfigRecord {
  const durable = service.lifetimes === undefined ? undefined : durableConfigOf(service.lifetimes);
  if (durable === undefined || 'problems' in durable) {
    throw new Error(
      `${service.className}: its lifetimes cannot be a DurableConfig, and check should have refused it ` +
        '(a bug of durable-gen: please report it).',
    );
  }
  return durable.config;
}
