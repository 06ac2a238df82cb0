import type { OperationSignature } from './journal/records.js';

const BRAND = Symbol.for('@durable/core.DurableError');

/** Options every durable error accepts: the underlying `cause`. */
export interface DurableErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error this package throws. `code` is stable across versions:
 * match on it (or use `instanceof`, which checks the code, so it keeps working
 * when two copies of this package meet, e.g. a bundled handler and a test).
 */
export class DurableError extends Error {
  /** Stable, machine-readable identifier of the error kind. */
  static readonly code: string = 'DURABLE_ERROR';
  /** Whether trying the same thing again later may succeed. */
  readonly retryable: boolean;
  declare readonly [BRAND]: true;

  constructor(
    readonly code: string,
    message: string,
    options?: DurableErrorOptions & { retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options?.retryable ?? false;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    // `this` is the class `instanceof` was asked about: a subclass matches by its code.
    // biome-ignore lint/complexity/noThisInStatic: the subclass's own static code is meant
    return this === DurableError || (value as DurableError).code === this.code;
  }
}

/** True when `value` is an error of this package (from any copy of it), optionally with the given code. */
export function isDurableError(value: unknown, code?: string): value is DurableError {
  return value instanceof DurableError && (code === undefined || value.code === code);
}

function describeOperation(op: OperationSignature): string {
  return `${op.kind} '${op.name}'`;
}

/**
 * The code took a different path than the recorded execution: a renamed,
 * reordered, removed or re-parameterised operation, or recorded operations the
 * code no longer reaches. The execution ends FAILED; it is never retried.
 */
export class NonDeterminismError extends DurableError {
  static override readonly code = 'NON_DETERMINISM';
  constructor(
    readonly position: string,
    readonly recorded: OperationSignature,
    readonly actual: OperationSignature | null,
  ) {
    const now =
      actual === null
        ? 'the workflow now returns without reaching it'
        : actual.kind === recorded.kind && actual.name === recorded.name
          ? `the code now calls it with other arguments (argument hash ${actual.argsHash}, recorded ${recorded.argsHash})`
          : `the code now calls ${describeOperation(actual)}`;
    super(
      NonDeterminismError.code,
      `Non-deterministic replay at position ${position}: the journal has ${describeOperation(recorded)}, ${now}. ` +
        'Code deployed under a running execution must make the same durable calls in the same order with the same ' +
        'arguments; move changing logic into a @Step, or publish the change as a new version and let running ' +
        'executions finish on the old one.',
    );
  }
}

/** Another live invocation holds the execution's lease. Retryable: try again after the lease expires. */
export class ExecutionBusyError extends DurableError {
  static override readonly code = 'EXECUTION_BUSY';
  constructor(
    readonly executionId: string,
    readonly leaseExpiresAt: number | undefined,
    detail = 'it is being run by another invocation',
  ) {
    const until = leaseExpiresAt === undefined ? '' : ` (lease until ${new Date(leaseExpiresAt).toISOString()})`;
    super(
      ExecutionBusyError.code,
      `Execution '${executionId}' is busy: ${detail}${until}. Retry after the lease expires; Lambda's own retries do this.`,
      { retryable: true },
    );
  }
}

/** The execution id is already used by an execution of another workflow or with another input. */
export class ExecutionConflictError extends DurableError {
  static override readonly code = 'EXECUTION_CONFLICT';
  constructor(
    readonly executionId: string,
    detail: string,
  ) {
    super(
      ExecutionConflictError.code,
      `Execution '${executionId}' already exists ${detail}. An execution id names one run of one workflow with one ` +
        'input: use a new id for a new run.',
    );
  }
}

/** A resume event (an execution id with no input) named an execution the store does not have. */
export class ExecutionNotFoundError extends DurableError {
  static override readonly code = 'EXECUTION_NOT_FOUND';
  constructor(readonly executionId: string) {
    super(
      ExecutionNotFoundError.code,
      `Execution '${executionId}' does not exist, and the event carries no input to start it with. ` +
        'Send { executionId, workflow, input } to start an execution.',
    );
  }
}

/** A value is larger than the configured maximum payload. Not retryable. */
export class PayloadTooLargeError extends DurableError {
  static override readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(
    readonly what: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      PayloadTooLargeError.code,
      `${what} is ${sizeBytes} bytes serialized, over the maximum of ${maxBytes} bytes. ` +
        'Store large data elsewhere (S3) and return a reference, or raise maxPayloadBytes.',
    );
  }
}

/** A value cannot be written to the journal (a function, a symbol, a cycle, …). Not retryable. */
export class SerializationError extends DurableError {
  static override readonly code = 'SERIALIZATION';
  constructor(
    readonly what: string,
    readonly path: string,
    reason: string,
    options?: DurableErrorOptions,
  ) {
    super(
      SerializationError.code,
      `${what} cannot be recorded: ${reason} at ${path}. Journal values must be data: JSON plus Date, BigInt, Map, ` +
        'Set, undefined, Uint8Array and Error.',
      options,
    );
  }
}

/**
 * An at-most-once step was started by an invocation that died before recording
 * its outcome, and its retry policy allows no further attempt: it may or may
 * not have taken effect. The workflow decides (catch it to compensate).
 */
export class StepInterruptedError extends DurableError {
  static override readonly code = 'STEP_INTERRUPTED';
  constructor(
    readonly stepName: string,
    readonly position: string,
    readonly attempt: number,
  ) {
    super(
      StepInterruptedError.code,
      `At-most-once step '${stepName}' (position ${position}) was interrupted during attempt ${attempt}: it may or ` +
        'may not have taken effect, so it is not run again. Catch StepInterruptedError in the workflow to reconcile, ' +
        'or allow more attempts in its retry policy if running it twice is safe.',
    );
  }
}

/** A step ran longer than its `timeoutMs`. Retried according to the step's retry policy. */
export class StepTimeoutError extends DurableError {
  static override readonly code = 'STEP_TIMEOUT';
  constructor(
    readonly stepName: string,
    readonly timeoutMs: number,
  ) {
    super(StepTimeoutError.code, `Step '${stepName}' did not finish within its timeout of ${timeoutMs} ms.`, {
      retryable: true,
    });
  }
}

/**
 * Throw from a step to fail it at once, without the retries its policy would
 * otherwise grant (e.g. a 4xx answer that will not change).
 */
export class NonRetryableError extends DurableError {
  static override readonly code = 'NON_RETRYABLE';
  constructor(message: string, options?: DurableErrorOptions) {
    super(NonRetryableError.code, message, options);
  }
}

/** The Lambda event is not one this handler understands; nothing was written. */
export class InvalidEventError extends DurableError {
  static override readonly code = 'INVALID_EVENT';
  constructor(reason: string) {
    super(
      InvalidEventError.code,
      `Invalid event: ${reason}. Expected { executionId?, workflow?, input }, an EventBridge event, a single-record ` +
        'SQS event or an API Gateway event.',
    );
  }
}

/** The event names a workflow the service does not have (or omits it while the service has several). */
export class UnknownWorkflowError extends DurableError {
  static override readonly code = 'UNKNOWN_WORKFLOW';
  constructor(
    readonly service: string,
    readonly workflow: string | undefined,
    readonly available: readonly string[],
  ) {
    super(
      UnknownWorkflowError.code,
      workflow === undefined
        ? `Service '${service}' has ${available.length} workflows (${available.join(', ')}): the event must name one in 'workflow'.`
        : `Service '${service}' has no workflow '${workflow}'. Its workflows: ${available.join(', ') || '(none)'}.`,
    );
  }
}

/** A class or method is decorated in a way the engine cannot run (missing @DurableService, duplicate names, …). */
export class DefinitionError extends DurableError {
  static override readonly code = 'INVALID_DEFINITION';
  constructor(message: string) {
    super(DefinitionError.code, message);
  }
}

/** Required configuration is missing or invalid (no store, no invoker, a bad option). */
export class ConfigurationError extends DurableError {
  static override readonly code = 'CONFIGURATION';
  constructor(message: string) {
    super(ConfigurationError.code, message);
  }
}

/** A `DurableContext` was used where it cannot record anything: inside a step's body, or after its execution ended. */
export class ContextMisuseError extends DurableError {
  static override readonly code = 'CONTEXT_MISUSE';
  constructor(message: string) {
    super(ContextMisuseError.code, message);
  }
}

/** A callback token that this package did not issue, or that was damaged in transit. */
export class InvalidCallbackTokenError extends DurableError {
  static override readonly code = 'INVALID_CALLBACK_TOKEN';
  constructor(reason: string) {
    super(
      InvalidCallbackTokenError.code,
      `Invalid callback token: ${reason}. Pass the token exactly as waitForCallback handed it to your submitter.`,
    );
  }
}

/** A callback token that was already completed or failed. */
export class CallbackAlreadyCompletedError extends DurableError {
  static override readonly code = 'CALLBACK_ALREADY_COMPLETED';
  constructor(readonly position: string) {
    super(CallbackAlreadyCompletedError.code, `The callback at position ${position} was already completed.`);
  }
}

/** Nobody completed a callback within its timeout. */
export class CallbackTimeoutError extends DurableError {
  static override readonly code = 'CALLBACK_TIMEOUT';
  constructor(
    readonly callbackName: string,
    readonly timeoutMs: number,
  ) {
    super(CallbackTimeoutError.code, `Callback '${callbackName}' was not completed within ${timeoutMs} ms.`);
  }
}

/** A store request failed for a reason that may pass (throttling, a 5xx, the network). Retryable. */
export class StoreUnavailableError extends DurableError {
  static override readonly code = 'STORE_UNAVAILABLE';
  constructor(operation: string, options?: DurableErrorOptions) {
    super(
      StoreUnavailableError.code,
      `The checkpoint store failed during ${operation}; nothing inconsistent was recorded. The invocation can be retried.`,
      { ...options, retryable: true },
    );
  }
}

/** An invoke target's ARN is unqualified, `$LATEST`, malformed or in another account. */
export class InvalidTargetArnError extends DurableError {
  static override readonly code = 'INVALID_TARGET_ARN';
  constructor(
    readonly service: string,
    problem: string,
  ) {
    super(InvalidTargetArnError.code, `Cannot invoke service '${service}': ${problem}.`);
  }
}

/** The handler runs a different `@durable/core` than the one its code was generated against. */
export class VersionMismatchError extends DurableError {
  static override readonly code = 'VERSION_MISMATCH';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      VersionMismatchError.code,
      `This handler was generated for @durable/core ${expected} but runs ${actual}. Regenerate and rebundle ` +
        '(durable-gen generate && durable-gen bundle) so the bundled runtime is the one the code was generated for.',
    );
  }
}

/** The execution ran past its `executionTimeout` (set on `@DurableService`). Terminal: the execution ends FAILED. */
export class ExecutionTimeoutError extends DurableError {
  static override readonly code = 'EXECUTION_TIMEOUT';
  constructor(
    readonly executionId: string,
    readonly timeoutAt: number,
  ) {
    super(
      ExecutionTimeoutError.code,
      `Execution '${executionId}' passed its executionTimeout at ${new Date(timeoutAt).toISOString()} and was ended. ` +
        'Raise @DurableService({ executionTimeout }) (at most 366 days) for workflows that live longer.',
    );
  }
}

/**
 * The journal of an execution is missing records it must hold: its items are
 * past their retention (DynamoDB TTL may have deleted some) or belong to an
 * earlier execution with the same id. Running it would re-execute finished
 * steps, so the execution ends FAILED instead.
 */
export class JournalIncompleteError extends DurableError {
  static override readonly code = 'JOURNAL_INCOMPLETE';
  constructor(
    readonly executionId: string,
    reason: string,
  ) {
    super(
      JournalIncompleteError.code,
      `The journal of execution '${executionId}' is incomplete: ${reason}. It is not re-executed from the top ` +
        '(finished steps would run again); start a new execution with another id.',
    );
  }
}

type DurableErrorClass = (abstract new (...args: never[]) => DurableError) & { readonly code: string };

/** Every error class of this package by code, so recorded errors come back as instances of their class. */
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
      StoreUnavailableError,
      VersionMismatchError,
      InvalidTargetArnError,
      ExecutionTimeoutError,
      JournalIncompleteError,
    ] as DurableErrorClass[]
  ).map((cls) => [cls.code, cls]),
);
