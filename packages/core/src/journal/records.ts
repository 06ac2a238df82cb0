/**
 * The shapes of an execution's journal, as stores keep them. Values (inputs,
 * results, errors) are kept as serialized strings (see serde/): stores never
 * interpret them.
 */

/** What kind of durable operation a journal position holds. */
export type OperationKind = 'step' | 'sleep' | 'now' | 'random' | 'uuid' | 'invoke' | 'callback' | 'parallel' | 'map';

/**
 * - `STARTED`: an at-most-once step began an attempt, a sleep is waiting, a
 *   callback was handed out;
 * - `RETRYING`: a step failed an attempt and waits until `retryAt` for the next;
 * - `SUCCEEDED` / `FAILED`: final, with `result` or `error`.
 */
export type OperationStatus = 'STARTED' | 'RETRYING' | 'SUCCEEDED' | 'FAILED';

/** Identity of an operation as the replay check compares it. */
export interface OperationSignature {
  kind: OperationKind;
  name: string;
  argsHash: string;
  /** The arguments (or other parameters, such as a duration) in a short readable form, for error messages. */
  args?: string;
}

/** One position of the journal. */
export interface OperationRecord extends OperationSignature {
  /** `3`, or `7.2.1` for the first operation of the second branch of the parallel at 7. */
  position: string;
  status: OperationStatus;
  /** 1-based attempt the record speaks of. */
  attempt: number;
  /** Serialized result, when `SUCCEEDED`. */
  result?: string;
  /** Serialized error, when `FAILED` (or the last failure, when `RETRYING`). */
  error?: string;
  /** Epoch ms a sleep ends. */
  wakeAt?: number;
  /** The invocation that wrote a `STARTED` record (at-most-once steps), so it knows its own write on a retry. */
  owner?: string;
  /** Epoch ms the next attempt of a `RETRYING` step may start. */
  retryAt?: number;
  /** Epoch ms after which a `STARTED` callback times out. */
  timeoutAt?: number;
  /** Epoch ms the record was written. */
  updatedAt: number;
  /**
   * The claim epoch (the execution's `invocations` count when it was claimed)
   * of the invocation that wrote this record; a callback completer writes the
   * epoch it read. Records of older versions of this package read as 0.
   */
  epoch: number;
  /**
   * The record this one's path depended on, as its writer saw it: the last
   * operation whose outcome the workflow had when it called this one (in the
   * same scope, or before the enclosing parallel/map). Absent for the first
   * operation of an execution. Loading trusts a record only if the record it
   * follows stands there with that epoch (see journal/trust.ts).
   */
  follows?: { position: string; epoch: number };
  /** Set on steps that ran at-most-once: after a crash inside one, the recorded semantics win over the code's. */
  semantics?: 'at-most-once';
  /** Wall-clock epoch ms after which the store may delete the record (DynamoDB TTL): the execution's `expiresAt`. */
  expiresAt?: number;
}

/**
 * What a conditional operation write expects to find: nothing, or the record
 * at a given status and attempt and, when given, written by a given epoch (so
 * a write that replaces a record it saw never replaces another one that took
 * its place meanwhile with the same status and attempt).
 */
export type ExpectedOperation = null | { status: OperationStatus; attempt: number; epoch?: number };

/** Lifecycle of an execution. */
export type ExecutionStatus = 'RUNNING' | 'SUSPENDED' | 'SUCCEEDED' | 'FAILED';

/** Names one execution in a store: the service's own key space, then the id. */
export interface ExecutionKey {
  service: string;
  executionId: string;
}

/** The execution's own record (`#meta`). */
export interface ExecutionRecord extends ExecutionKey {
  workflow: string;
  status: ExecutionStatus;
  /** Serialized workflow input. */
  input: string;
  /** Hash of `input`, compared when an event reuses the id. */
  inputHash: string;
  output?: string;
  error?: string;
  /** The invocation that holds the lease, while RUNNING. */
  leaseOwner?: string;
  leaseExpiresAt?: number;
  /** When a SUSPENDED execution wants to be re-invoked; absent = only an outside event (a callback) resumes it. */
  resumeAt?: number;
  createdAt: number;
  updatedAt: number;
  /**
   * How many invocations claimed it, this one included: the claim **epoch**.
   * Each operation record carries the epoch of its writer, which fences an
   * invocation that outlived its lease from mixing its path into a newer one's.
   */
  invocations: number;
  /** Engine-clock epoch ms past which the execution fails with ExecutionTimeoutError (createdAt + executionTimeout). */
  timeoutAt?: number;
  /**
   * Wall-clock epoch ms after which the store may delete the execution's items
   * (start + executionTimeout + retention; DynamoDB TTL). Fixed when the
   * execution is created and stamped on every item, so TTL never deletes a
   * running journal. Absent on records of older versions of this package.
   */
  expiresAt?: number;
  /** Random per-execution key that signs its callback tokens. Never leaves the store and the engine. */
  secret?: string;
  /**
   * The deployed code that started the execution: Lambda's `functionVersion` and the function's unqualified ARN.
   * Every later invocation must run this version: a replay meets the code that recorded it. Absent for
   * executions started outside Lambda (local tools, tests) and by older versions of this package.
   */
  pinnedVersion?: PinnedVersion;
}

/** A published version of a Lambda function: what an execution is pinned to. */
export interface PinnedVersion {
  /** The function's unqualified ARN, `arn:aws:lambda:<region>:<account>:function:<name>`. */
  functionArn: string;
  /** The published version number (never `$LATEST`). */
  version: string;
}

/** SUCCEEDED or FAILED: the one test of "finished", for executions and operations alike. */
export function isFinalStatus(status: OperationStatus | ExecutionStatus): status is 'SUCCEEDED' | 'FAILED' {
  return status === 'SUCCEEDED' || status === 'FAILED';
}
