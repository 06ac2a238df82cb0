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
 * - `FAILED`: the child ended FAILED, and `error` is its recorded error (class, `code` and own fields intact); or the
 *   invoke can never succeed as asked, decided before the child ran (its id would be too long, the target ARN is
 *   refused, the target has no such workflow, the id is taken by another input): the same answer on every replay;
 * - `SUSPENDED`: the child waits (a sleep, a callback, its own child) until `resumeAt`, or an outside event.
 *
 * Anything that may pass is thrown instead, never returned: the child is busy (`ExecutionBusyError`), its store is
 * unavailable (`StoreUnavailableError`), Lambda throttles, times out or reports an unhandled error, the network
 * fails, the target does not answer the child-invoke protocol. The engine records nothing for a thrown invoke and
 * stops the invocation, so the parent stays resumable and asks again later.
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
