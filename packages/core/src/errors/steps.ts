/** The errors of a step's attempts: interrupted, timed out, or failed for good by its own code. */

import { DurableError, type DurableErrorOptions } from './base.js';

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
