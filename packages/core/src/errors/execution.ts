/** The errors of an execution as a whole: its replay, its lease, its id, its lifetime and its journal. */

import type { OperationSignature } from '../journal/records.js';
import { DurableError, type DurableErrorOptions } from './base.js';

function describeOperation(op: OperationSignature): string {
  return `${op.kind} '${op.name}'`;
}

/** Which published versions an execution meets: the one it is pinned to (that recorded it) and the one running. */
export interface ReplayVersions {
  recorded?: string;
  running?: string;
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
    /** The versions involved, when the execution runs on a published Lambda version (see {@link withVersions}). */
    readonly versions: ReplayVersions = {},
  ) {
    const now =
      actual === null
        ? 'the workflow now returns without reaching it'
        : actual.kind === recorded.kind && actual.name === recorded.name
          ? `the code now calls it with other arguments (${describeArguments(recorded, actual)})`
          : `the code now calls ${describeOperation(actual)}`;
    super(
      NonDeterminismError.code,
      `Non-deterministic replay at position ${position}: the journal has ${describeOperation(recorded)}, ${now}. ` +
        `${describeVersions(versions)}Code deployed under a running execution must make the same durable calls ` +
        'in the same order with the same arguments; move changing logic into a @Step, or publish the change as a ' +
        'new version and let running executions finish on the old one. Before a deploy, `durable-gen diff` shows ' +
        'which changes break running executions and `durable-gen replay` runs the new code against their journals.',
    );
  }

  /** The same mismatch, saying which version recorded the execution and which one runs it now. */
  withVersions(versions: ReplayVersions): NonDeterminismError {
    const copy = new NonDeterminismError(this.position, this.recorded, this.actual, versions);
    if (this.stack !== undefined) copy.stack = this.stack.replace(this.message, copy.message);
    return copy;
  }
}

function describeVersions({ recorded, running }: ReplayVersions): string {
  if (recorded === undefined && running === undefined) return '';
  if (recorded === undefined)
    return `The execution was recorded outside a published version; version ${running} runs it now. `;
  if (running === undefined)
    return `The execution was recorded by version ${recorded}; it runs outside a published version now. `;
  if (recorded === running) {
    // A published version's code never changes: the path itself depends on something the journal does not hold.
    return (
      `The execution was recorded by version ${recorded}, which runs it now: its path depends on something outside ` +
      'the journal (the clock, randomness, a read outside a step). '
    );
  }
  return `The execution was recorded by version ${recorded} and runs on version ${running} now. `;
}

/** The recorded and the current arguments, readable where the journal kept them, else their hashes. */
function describeArguments(recorded: OperationSignature, actual: OperationSignature): string {
  if (recorded.args !== undefined && actual.args !== undefined) {
    return `recorded ${recorded.args}, now ${actual.args}`;
  }
  return `argument hash ${actual.argsHash}, recorded ${recorded.argsHash}`;
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

/**
 * The execution is pinned to another published version of its function than
 * the one this invocation runs: it must replay on the code that recorded it.
 * Nothing was written, and the execution stays as it was; retry on the pinned
 * version (its qualified ARN is in the message).
 */
export class WrongVersionError extends DurableError {
  static override readonly code = 'WRONG_VERSION';
  constructor(
    readonly executionId: string,
    readonly pinned: { functionArn: string; version: string },
    readonly running: { functionArn: string; version: string },
  ) {
    const runs =
      pinned.functionArn === running.functionArn
        ? `version ${running.version}`
        : `${running.functionArn}:${running.version}`;
    super(
      WrongVersionError.code,
      `Execution '${executionId}' was started by version ${pinned.version} of ${pinned.functionArn}, and this ` +
        `invocation runs ${runs}: a replay must meet the code that recorded it. Nothing was written. Invoke ` +
        `${pinned.functionArn}:${pinned.version} to resume it; new executions go to the alias or the new version.`,
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
  constructor(
    readonly executionId: string,
    /** What was asked of it, when it was not a start (the default tells how to start one). */
    hint = 'the event carries no input to start it with. Send { executionId, workflow, input } to start an execution.',
  ) {
    super(ExecutionNotFoundError.code, `Execution '${executionId}' does not exist, and ${hint}`);
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

/**
 * A child execution's outcome cannot be known now: the child is busy, its
 * Lambda timed out or crashed, the invoke was throttled or the network failed.
 * Retryable: nothing is recorded for the invoke, and the parent asks again on
 * its next invocation.
 */
export class InvokeUnavailableError extends DurableError {
  static override readonly code = 'INVOKE_UNAVAILABLE';
  constructor(
    readonly executionId: string,
    message: string,
    options?: DurableErrorOptions,
  ) {
    super(InvokeUnavailableError.code, message, { ...options, retryable: true });
  }
}
