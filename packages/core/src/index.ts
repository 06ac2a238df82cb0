/**
 * `@durable/core`: durable execution for AWS Lambda from decorated classes.
 *
 * Mark a class `@DurableService`, its entry points `@Workflow` and its side
 * effects `@Step`; `createHandler` turns it into a Lambda handler that
 * checkpoints every step and, when Lambda retries or resumes the function,
 * replays: finished steps return their recorded results instead of running
 * again. See the README and ARCHITECTURE.md.
 *
 * @example
 * ```ts
 * import { createHandler, type DurableContext, DurableService, Step, Workflow } from '@durable/core';
 *
 * @DurableService({ name: 'orders' })
 * export class OrderService {
 *   @Workflow() async place(ctx: DurableContext, order: Order) {
 *     const receipt = await this.charge(order);
 *     await ctx.sleep('settle', { minutes: 5 });
 *     return receipt.id;
 *   }
 *   @Step({ semantics: 'at-most-once' }) async charge(order: Order) { ... }
 * }
 *
 * // The Lambda entry point (`durable-gen generate` writes it): the journal is the DynamoDB
 * // table that DURABLE_TABLE or @DurableService({ table }) names.
 * export const handler = createHandler(OrderService);
 * ```
 *
 * In a test the journal may live in memory, where nothing outlives the
 * process: `createHandler(OrderService, { store: new MemoryStore() })`.
 *
 * @packageDocumentation
 */

export type { Scope } from './context/active-scope.js';
export type { CallbackOptions, DurableContext, MapOptions } from './context/durable-context.js';
export type { Duration } from './context/duration.js';
export { jsonLogger, type Logger } from './context/logger.js';
export {
  type OptionProblem,
  RETRY_OPTION_NAMES,
  STEP_OPTION_NAMES,
  stepOptionProblems,
  unknownOptionProblems,
} from './context/step-options.js';
export { DurableService } from './decorators/durable-service.js';
export {
  type Backend,
  DEFAULT_EXECUTION_TIMEOUT_MS,
  DEFAULT_RETENTION_MS,
  type DurableServiceOptions,
  type Lifetimes,
  lifetimesOf,
  SERVICE_OPTION_NAMES,
  type ServiceDefinition,
  type StepDefinition,
  type StepOptions,
  type StepSemantics,
  serviceDefinition,
  WORKFLOW_OPTION_NAMES,
  type WorkflowDefinition,
  type WorkflowOptions,
} from './decorators/metadata.js';
export {
  ACCOUNT_ID_PATTERN,
  BACKENDS,
  duplicateNameProblems,
  kebabCase,
  REGION_PATTERN,
  SERVICE_NAME_PATTERN,
  serviceNameOf,
  serviceOptionProblems,
  workflowOptionProblems,
} from './decorators/options.js';
export { Step } from './decorators/step.js';
export { Workflow } from './decorators/workflow.js';
export {
  type CallbackCompletion,
  type CallbackCompletionOptions,
  completeCallback,
  failCallback,
  type PendingCallback,
  pendingCallbacks,
} from './engine/callbacks.js';
export type { ExecutionResult } from './engine/invocation.js';
export type { ExecutionObserver, OperationEvent } from './engine/observer.js';
export type { RetryPolicy } from './engine/retry.js';
export {
  BackendNotLoadedError,
  CallbackAlreadyCompletedError,
  CallbackExecutionFinishedError,
  CallbackFailedError,
  CallbackTimeoutError,
  ConfigurationError,
  ContextMisuseError,
  DefinitionError,
  DurableError,
  type DurableErrorOptions,
  DurableSdkVersionError,
  ExecutionBusyError,
  ExecutionConflictError,
  ExecutionNotFoundError,
  ExecutionTimeoutError,
  InvalidCallbackTokenError,
  InvalidEventError,
  InvalidTargetArnError,
  InvokeUnavailableError,
  isDurableError,
  JournalFormatError,
  JournalIncompleteError,
  NonDeterminismError,
  NonRetryableError,
  PayloadTooLargeError,
  type ReportedError,
  SerializationError,
  StepInterruptedError,
  StepTimeoutError,
  StoreUnavailableError,
  TableSchemaError,
  UnknownWorkflowError,
  UnpinnedInvocationError,
  VersionMismatchError,
  WrongVersionError,
} from './errors.js';
export {
  createHandler,
  DEFAULT_MAX_PAYLOAD_BYTES,
  type DurableHandler,
  type HandlerOptions,
  type ServiceClass,
} from './handler/create-handler.js';
export {
  configuredHandlerOptions,
  DEPLOYED_HANDLER_OPTION_NAMES,
  type DeployedHandlerOptions,
  DURABLE_CONFIG_FILE,
  type DurableConfig,
  defineDurableConfig,
} from './handler/durable-config.js';
export { type ExecutionRequest, MAX_EXTERNAL_ID_LENGTH, parseEvent } from './handler/events.js';
export { InProcessInvoker, type InProcessInvokerOptions } from './handler/in-process-invoker.js';
export type { LambdaContext } from './handler/lambda-context.js';
export { isReplayCheckEvent, type ReplayCheckEvent, replayCheckEvent } from './handler/replay-check.js';
export {
  type FunctionNameProblem,
  type FunctionPlacement,
  functionNameProblem,
  lambdaFunctionName,
} from './invoke/function-name.js';
export type { InvokeOutcome, InvokeRequest, Invoker, InvokeTarget } from './invoke/invoker.js';
export {
  type CallerPlacement,
  LAMBDA_FUNCTION_NAME,
  type LambdaArn,
  parseLambdaArn,
  type TargetArnProblem,
  targetArnProblem,
} from './invoke/lambda-arn.js';
export { type ChildInvokeAnswer, type ChildInvokeEvent, INVOKE_UNAVAILABLE } from './invoke/protocol.js';
export type { Resumer } from './invoke/resumer.js';
export {
  EXECUTION_EXPORT_FORMAT,
  type ExecutionExport,
  exportExecution,
  type PublicExecution,
  parseExecutionExport,
  publicExecution,
} from './journal/execution-export.js';
export type {
  ExecutionKey,
  ExecutionRecord,
  ExecutionStatus,
  ExpectedOperation,
  OperationKind,
  OperationRecord,
  OperationSignature,
  OperationStatus,
  PinnedVersion,
} from './journal/records.js';
export {
  describeDivergence,
  type ReplayedExecution,
  type ReplayVerdict,
  replayJournal,
} from './replay/replay-journal.js';
export { deserialize, serialize } from './serde/serialize.js';
export type {
  CheckpointStore,
  ClaimOutcome,
  ClaimRequest,
  ConditionalWriteOutcome,
  ExecutionPage,
  ExecutionTransition,
  ListExecutionsQuery,
  RepinRequest,
  ResumableQuery,
} from './stores/checkpoint-store.js';
export { DynamoDbStore, type DynamoDbStoreOptions } from './stores/dynamodb/dynamodb-store.js';
export { leadingKeyPattern } from './stores/dynamodb/keys.js';
export { type CreatedTable, DEFAULT_TABLE, RESUMABLE_INDEX } from './stores/dynamodb/table.js';
export type { EnsuredTable } from './stores/dynamodb/table-check.js';
export { MemoryStore } from './stores/memory-store.js';
export { claimDecision, comparePositions, isFinished } from './stores/store-rules.js';
export { SWEEP_LIMIT, type SweepResult } from './sweeper/sweep.js';
export { isSweepEvent, type SweepEvent, sweepEvent } from './sweeper/sweep-event.js';
export { assertCoreVersion, CORE_VERSION } from './version.js';
