/**
 * The errors of what surrounds an execution and is fixed before it runs: the
 * event, the decorated classes, the options, the invoke targets, the bundled
 * version, and a `DurableContext` used where it cannot record.
 */

import { DurableError } from './base.js';

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

/**
 * A deployed handler was invoked unqualified or as `$LATEST`: it refuses to run, and writes nothing, since a
 * later invocation of the same execution could meet other code than the code that recorded it.
 */
export class UnpinnedInvocationError extends DurableError {
  static override readonly code = 'UNPINNED_INVOCATION';
  constructor(
    readonly service: string,
    readonly invokedFunctionArn: string,
    reason: string,
  ) {
    super(
      UnpinnedInvocationError.code,
      `Service '${service}' was invoked as '${invokedFunctionArn}', ${reason}: a resumed execution could replay ` +
        'on other code than the code that recorded it. Invoke a published version or an alias ' +
        `(…:function:<name>:<version>), never the function unqualified or $LATEST. Nothing was written.`,
    );
  }
}

/** A service on backend `lambda-durable` got a handler while `@durable/core/lambda-durable` was not imported. */
export class BackendNotLoadedError extends DurableError {
  static override readonly code = 'BACKEND_NOT_LOADED';
  constructor(
    readonly service: string,
    /** The backend's name, as the decorator or the options say it (`lambda-durable`). */
    readonly backend: string,
  ) {
    super(
      BackendNotLoadedError.code,
      `Service '${service}' runs on backend '${backend}', which is not loaded: add ` +
        `\`import '@durable/core/${backend}';\` to the handler's module before createHandler (the handler durable-gen ` +
        'generates for such a service does), so the backend and its SDK are bundled.',
    );
  }
}

/** The loaded `@aws/durable-execution-sdk-js` is not the one the handler was built for. */
export class DurableSdkVersionError extends DurableError {
  static override readonly code = 'DURABLE_SDK_VERSION';
  constructor(
    readonly expected: string,
    readonly loaded: string,
    reason: string,
  ) {
    super(
      DurableSdkVersionError.code,
      `This handler needs @aws/durable-execution-sdk-js ${expected} but loaded ${loaded}: ${reason}. Nothing ran.`,
    );
  }
}
