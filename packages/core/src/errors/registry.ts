import { DurableError } from './base.js';
import {
  CallbackAlreadyCompletedError,
  CallbackExecutionFinishedError,
  CallbackFailedError,
  CallbackTimeoutError,
  InvalidCallbackTokenError,
} from './callbacks.js';
import {
  ConfigurationError,
  ContextMisuseError,
  DefinitionError,
  InvalidEventError,
  InvalidTargetArnError,
  UnknownWorkflowError,
  VersionMismatchError,
} from './configuration.js';
import {
  ExecutionBusyError,
  ExecutionConflictError,
  ExecutionNotFoundError,
  ExecutionTimeoutError,
  InvokeUnavailableError,
  JournalIncompleteError,
  NonDeterminismError,
} from './execution.js';
import { NonRetryableError, StepInterruptedError, StepTimeoutError } from './steps.js';
import { StoreUnavailableError } from './store.js';
import { PayloadTooLargeError, SerializationError } from './values.js';

type DurableErrorClass = (abstract new (...args: never[]) => DurableError) & { readonly code: string };

/**
 * Every error class of this package by code, so recorded errors come back as
 * instances of their class (serde/serialize.ts). A new class belongs here.
 */
export const errorClassesByCode: ReadonlyMap<string, DurableErrorClass> = new Map(
  (
    [
      DurableError,
      NonDeterminismError,
      ExecutionBusyError,
      ExecutionConflictError,
      ExecutionNotFoundError,
      PayloadTooLargeError,
      SerializationError,
      StepInterruptedError,
      StepTimeoutError,
      NonRetryableError,
      InvalidEventError,
      UnknownWorkflowError,
      DefinitionError,
      ConfigurationError,
      ContextMisuseError,
      InvalidCallbackTokenError,
      CallbackAlreadyCompletedError,
      CallbackTimeoutError,
      CallbackFailedError,
      CallbackExecutionFinishedError,
      StoreUnavailableError,
      VersionMismatchError,
      InvalidTargetArnError,
      InvokeUnavailableError,
      ExecutionTimeoutError,
      JournalIncompleteError,
    ] as DurableErrorClass[]
  ).map((cls) => [cls.code, cls]),
);
