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
  /** Deterministic: `<parent id>/<position>`, so a replayed parent never starts a second child. */
  executionId: string;
  input: unknown;
  parent: ExecutionKey;
  /** ARN the calling function was invoked with (its account is the only one it may invoke in). */
  callerArn?: string;
  /** Time the calling invocation has left, when it has a limit: a child run within it must not wait longer. */
  remainingMs?: number;
}

/** How the child execution stands. A transient failure to reach it is thrown instead. */
export type InvokeOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED'; error: unknown }
  | { status: 'SUSPENDED'; resumeAt: number | undefined };

/**
 * Runs child workflows for `ctx.invoke`. `InProcessInvoker` runs them in this
 * process on the same store (local runs, tests); generated code adds one that
 * goes over Lambda.
 */
export interface Invoker {
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
}
