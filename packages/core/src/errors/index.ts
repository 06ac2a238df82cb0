/**
 * Every error class of this package, one base ({@link DurableError}), each
 * with a stable `code`; one file per family. Import from `../errors.js`.
 */

export { DURABLE_ERROR_BRAND, DurableError, type DurableErrorOptions, isDurableError } from './base.js';
export {
  CallbackAlreadyCompletedError,
  CallbackExecutionFinishedError,
  CallbackFailedError,
  CallbackTimeoutError,
  InvalidCallbackTokenError,
  type ReportedError,
} from './callbacks.js';
export {
  BackendNotLoadedError,
  ConfigurationError,
  ContextMisuseError,
  DefinitionError,
  DurableSdkVersionError,
  InvalidEventError,
  InvalidTargetArnError,
  UnknownWorkflowError,
  UnpinnedInvocationError,
  VersionMismatchError,
} from './configuration.js';
export {
  ExecutionBusyError,
  ExecutionConflictError,
  ExecutionNotFoundError,
  ExecutionTimeoutError,
  InvokeUnavailableError,
  JournalIncompleteError,
  NonDeterminismError,
  WrongVersionError,
} from './execution.js';
export { JournalFormatError } from './journal.js';
export { errorClassesByCode } from './registry.js';
export { NonRetryableError, StepInterruptedError, StepTimeoutError } from './steps.js';
export { StoreUnavailableError, TableSchemaError } from './store.js';
export { PayloadTooLargeError, SerializationError } from './values.js';
