/**
 * `@durable/codegen`: the engine of `durable-gen`. Scans `@DurableService`
 * classes with ts-morph (syntactically), and emits the replay-safe Lambda
 * handlers, typed invoke stubs, least-privilege IAM policies and the version
 * manifest; bundles each service with esbuild.
 *
 * @packageDocumentation
 */
export {
  type BundledService,
  type BundleOptions,
  type BundleResult,
  bundle,
} from './bundle/bundle.js';
export { BundleError, type BundleErrorCode } from './bundle/bundle-error.js';
export { type CheckOptions, type CheckResult, check, DEFAULT_SOURCE_PATHS } from './check.js';
export { type Diagnostic, formatDiagnostic, hasErrors, type Severity, sortDiagnostics } from './diagnostics.js';
export type { PolicyDocument, PolicyStatement } from './emit/iam.js';
export type {
  BundleInfo,
  DeployedVersion,
  DeploymentInfo,
  GenerateOptionsRecord,
  Manifest,
  ManifestService,
  ManifestWorkflow,
} from './emit/manifest.js';
export { arnEnvName, clientName, functionNameOf } from './emit/names.js';
export { DEFAULT_TABLE, type GenerateOptions, type GenerateResult, generate } from './generate.js';
export type { DurableConfigRecord } from './lambda-durable/durable-config.js';
export { DURABLE_SDK_PACKAGE, DurableSdkPinError, pinnedDurableSdkVersion } from './lambda-durable/sdk-version.js';
export { lint } from './lint/lint.js';
export { RULES, type RuleCode, type RuleInfo } from './lint/rules.js';
export type { PlacementDefaults, ServicePlacements } from './manifest/placements.js';
export { DEFAULT_OUT_DIR, normalizeOutDir, readPreviousManifest } from './manifest/previous-manifest.js';
export type { AppModel, InvokeModel, ServiceModel, SourceLocation, StepModel, WorkflowModel } from './model.js';
export { type ScanOptions, type ScanResult, scan } from './scanner/scan.js';
export {
  type ChangeClass,
  diffManifests,
  type SchemaChange,
  type SchemaChangeCode,
  type SchemaDiff,
} from './schema/diff.js';
export { operationSchemaHash } from './schema/schema-hash.js';
export {
  type BranchNode,
  type CallbackNode,
  type ControlNode,
  type InvokeNode,
  isOperationNode,
  type LoopNode,
  type MapNode,
  OPERATION_KINDS,
  type OpaqueNode,
  type OperationNode,
  type ParallelNode,
  type SchemaNode,
  type SleepNode,
  type StepNode,
  type ValueNode,
} from './schema/schema-nodes.js';
export {
  type ResolvedSources,
  resolveSourcePaths,
  SKIPPED_FOLDERS,
  SourcePathsError,
  type SourcePathsErrorCode,
} from './sources/source-paths.js';
