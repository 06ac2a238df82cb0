import type { ExecutionKey } from '../journal/records.js';

/** The workflow of another service that `ctx.invoke` calls (what generated stubs pass). */
export interface InvokeTarget {
  /** The target's service name (`@DurableService({ name })`). */
  service: string;
  workflow: string;
  /** Qualified ARN of the target function (version or alias), for invokers that go over Lambda. */
  functionArn?: string;
  /** Environment variable that, when set (at deploy), holds the target's qualified ARN and wins over `functionArn`. */
  arnEnv?: string;
}

/** One call of a child workflow. */
export interface InvokeRequest {
  target: InvokeTarget;
  /**
   * Deterministic: `<parent id>/<position>`, so a replayed parent never starts a second child. Ids with a `/` are
   * reserved for children: no event from outside may start one (handler/events.ts).
   */
  executionId: string;
  input: unknown;
  parent: ExecutionKey;
  /** ARN the calling function was invoked with (its account is the only one it may invoke in). */
  callerArn?: string;
  /** Time the calling invocation has left, when it has a limit: a child run within it must not wait longer. */
  remainingMs?: number;
}

/**
 * How the child execution stands, when that is known for good or for now:
 * - `SUCCEEDED`: its output, deserialized as the journal keeps values (Date, BigInt, Map, … intact);
 * - `FAILED`: the child ended FAILED, and `error` is its recorded error (its class for errors of this package, else
 *   its name; message, stack, `code` and own fields intact); or the invoke can never succeed as asked, decided
 *   without running the child, the same on every replay: its id would be over 512 characters or is not
 *   `<parent id>/<position>` (`InvalidEventError`), the event would be over Lambda's 6 MB
 *   (`PayloadTooLargeError`), the target ARN is refused (`InvalidTargetArnError`), the target has no such workflow
 *   (`UnknownWorkflowError`), the child id is taken with another input (`ExecutionConflictError`), the input is over
 *   the target's `maxPayloadBytes`, or the target does not answer the child-invoke protocol (`ConfigurationError`);
 * - `SUSPENDED`: the child waits (a sleep, a callback, its own child) until `resumeAt`, or for an outside event.
 *
 * Everything that may pass is thrown instead, never returned, and always as a retryable `DurableError`: the child
 * is busy (`ExecutionBusyError`), its store is unavailable (`StoreUnavailableError`), or code `INVOKE_UNAVAILABLE`
 * (invoke/protocol.ts) for a function error Lambda reports (a timeout, a crash, what the child's handler threw),
 * a failed Invoke request (throttling, access denied, the network), or a service an in-process invoker does not
 * run. The engine records nothing for a thrown invoke and stops the invocation, so the parent stays resumable and
 * asks again later (engine/operations/invoke.ts records a thrown error that is not retryable as the invoke's
 * failure: invokers must not throw one for anything that may pass).
 */
export type InvokeOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: unknown }
  | { status: 'SUSPENDED'; resumeAt: number | undefined };

/**
 * Runs child workflows for `ctx.invoke`. `LambdaInvoker` (`@durable/core/lambda`, what generated handlers use) sends
 * a child-invoke event to the target's function; `InProcessInvoker` hands the same event to the target's handler in
 * this process (local runs, tests). Both encode, answer and decode through invoke/protocol.ts, so they give the same
 * outcome for the same child.
 */
export interface Invoker {
  /** The child's outcome (see {@link InvokeOutcome}); throws when it cannot be known now and may be later. */
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
}
