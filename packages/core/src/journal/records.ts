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
}

/** What a conditional operation write expects to find: nothing, or the record at a given status and attempt. */
export type ExpectedOperation = null | { status: OperationStatus; attempt: number };

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
  /** How many invocations claimed it, this one included. */
  invocations: number;
  /** Random per-execution key that signs its callback tokens. Never leaves the store and the engine. */
  secret?: string;
}
