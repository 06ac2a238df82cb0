/** The errors of `ctx.waitForCallback` and of its completer (`completeCallback` / `failCallback`). */

import { DurableError } from './base.js';

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

/**
 * What a completer's error said, as plain data: its name, message, code (when
 * a string or a number), own fields and cause. Errors nested in it are
 * described the same way, so nothing in it is an instance of any error class.
 */
export interface ReportedError {
  name: string;
  message: string;
  code?: string | number;
  /** The error's other own fields, e.g. `statusCode`. */
  fields: Record<string, unknown>;
  /** Its `cause`, described the same way when it was an error. */
  cause?: unknown;
}

/** How much of the completer's message {@link CallbackFailedError}'s own message repeats (all of it is in `reported`). */
const QUOTED_MESSAGE_CHARS = 500;

/**
 * A callback failed by its completer (`failCallback`): what `ctx.waitForCallback`
 * throws in the workflow. Whatever the completer passed, it arrives as this
 * class, never as another class of this package (a completer cannot make the
 * workflow see a retryable `StoreUnavailableError` or a `NonDeterminismError`);
 * `reported` carries what it said. Not retryable.
 */
export class CallbackFailedError extends DurableError {
  static override readonly code = 'CALLBACK_FAILED';
  constructor(
    readonly callbackName: string,
    readonly position: string,
    readonly reported: ReportedError,
  ) {
    const code = reported.code === undefined ? '' : ` (${reported.code})`;
    const said =
      reported.message.length > QUOTED_MESSAGE_CHARS
        ? `${reported.message.slice(0, QUOTED_MESSAGE_CHARS)}… (the whole message is in error.reported.message)`
        : reported.message;
    super(
      CallbackFailedError.code,
      `Callback '${callbackName}' (position ${position}) was failed by its completer with ${reported.name}${code}: ` +
        `${said}. What the completer reported is in error.reported.`,
    );
  }
}

/**
 * A completion (or failure) of a callback whose execution has already ended:
 * its journal is final, so nothing was written. Not retryable.
 */
export class CallbackExecutionFinishedError extends DurableError {
  static override readonly code = 'CALLBACK_EXECUTION_FINISHED';
  constructor(
    readonly executionId: string,
    readonly position: string,
    readonly status: 'SUCCEEDED' | 'FAILED',
  ) {
    super(
      CallbackExecutionFinishedError.code,
      `Execution '${executionId}' already ${status === 'SUCCEEDED' ? 'succeeded' : 'failed'}, so its callback at ` +
        `position ${position} can no longer be completed; nothing was written. A finished execution's journal is ` +
        'final: start a new execution if the answer still has to be acted on.',
    );
  }
}
