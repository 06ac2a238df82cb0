import { DurableError } from '../errors/base.js';

/**
 * A run with a `crash` ended (finished, or stopped at a suspension) without ever writing the checkpoint the crash
 * point names: the test expects an operation the workflow never reached, or names it wrongly.
 */
export class CrashPointNotReachedError extends DurableError {
  static override readonly code = 'CRASH_POINT_NOT_REACHED';
  constructor(
    readonly executionId: string,
    point: string,
    reachedPositions: readonly string[],
  ) {
    super(
      CrashPointNotReachedError.code,
      `Execution '${executionId}' ended the run without the crash asked for (${point}). It wrote ` +
        `${reachedPositions.length === 0 ? 'no checkpoint' : `positions ${reachedPositions.join(', ')}`}; name a ` +
        'position or an operation name of its journal (execution.journal shows them).',
    );
  }
}

/** A crash point the runner cannot inject: malformed, or `beforeSideEffect` of a step that records nothing before its body. */
export class InvalidCrashPointError extends DurableError {
  static override readonly code = 'INVALID_CRASH_POINT';
  constructor(problem: string) {
    super(InvalidCrashPointError.code, `Invalid crash point: ${problem}`);
  }
}

/** `runner.completeCallback` / `failCallback` found no pending callback by that name, or several. */
export class CallbackNotPendingError extends DurableError {
  static override readonly code = 'CALLBACK_NOT_PENDING';
  constructor(
    readonly callbackName: string,
    problem: string,
  ) {
    super(CallbackNotPendingError.code, `Callback '${callbackName}': ${problem}`);
  }
}

/** An execution the runner drove kept suspending with a due `resumeAt` and never finished: a workflow that loops. */
export class RunawayExecutionError extends DurableError {
  static override readonly code = 'RUNAWAY_EXECUTION';
  constructor(
    readonly executionId: string,
    invocations: number,
  ) {
    super(
      RunawayExecutionError.code,
      `Execution '${executionId}' was invoked ${invocations} times by one run without finishing or waiting for a ` +
        "callback. Does the workflow sleep in an endless loop? Run it with { until: 'suspended' } to step through it.",
    );
  }
}
