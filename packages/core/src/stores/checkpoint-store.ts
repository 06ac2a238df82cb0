import type {
  ExecutionKey,
  ExecutionRecord,
  ExecutionStatus,
  ExpectedOperation,
  OperationRecord,
  PinnedVersion,
} from '../journal/records.js';

/** Asks to run an execution: create it, or take its lease. */
export interface ClaimRequest {
  key: ExecutionKey;
  /** The workflow the event asks for; compared with the recorded one when the execution exists. */
  workflow: string | undefined;
  /**
   * The serialized input and its hash, when the event carries one. Absent for a
   * resume event (an id alone, as the sweeper or a callback sends): then the
   * execution must already exist.
   */
  input?: { serialized: string; hash: string };
  /** This invocation's unique id. */
  owner: string;
  /** Stored as the execution's `secret` when the claim creates it. */
  secret?: string;
  now: number;
  leaseExpiresAt: number;
  /** Kept as the execution's `timeoutAt` when the claim creates it (existing executions keep theirs). */
  timeoutAt: number;
  /** Kept as the execution's `expiresAt` when the claim creates it: the TTL of every item of its journal. */
  expiresAt: number;
  /**
   * The published version this invocation runs, on Lambda. Kept as the execution's `pinnedVersion` when the
   * claim creates it; an execution pinned to another version is `wrong-version`, and nothing is written.
   */
  version?: PinnedVersion;
}

/**
 * What a claim found. Only `claimed` wrote anything (or found this same claim
 * written already: see {@link CheckpointStore.claim}). A `claimed` record's
 * `invocations` is this invocation's claim **epoch**, the number it stamps on
 * every operation record it writes; `isNew` is true exactly when that is 1.
 */
export type ClaimOutcome =
  | { kind: 'claimed'; record: ExecutionRecord; isNew: boolean }
  | { kind: 'finished'; record: ExecutionRecord }
  | { kind: 'busy'; record: ExecutionRecord }
  | { kind: 'conflict'; record: ExecutionRecord; reason: 'workflow' | 'input' }
  | { kind: 'wrong-version'; record: ExecutionRecord }
  | { kind: 'not-found' };

/** The result of a conditional write: done, or refused with what stands there now. */
export type ConditionalWriteOutcome<T> = { ok: true } | { ok: false; current: T | undefined };

/**
 * How an execution ends or pauses. An end may move the execution's
 * `expiresAt` (wall-clock epoch ms): its record (`#meta`) is then kept until
 * then, so a finished execution still answers its id for the whole retention
 * (the engine passes max(expiresAt, now + retention)). Absent, it keeps its own.
 */
export type ExecutionTransition =
  | { status: 'SUCCEEDED'; output: string; expiresAt?: number }
  | { status: 'FAILED'; error: string; expiresAt?: number }
  | { status: 'SUSPENDED'; resumeAt: number | undefined };

/** A page of executions, newest first. */
export interface ExecutionPage {
  executions: ExecutionRecord[];
  /** Pass back to get the next page; absent on the last one. */
  cursor?: string;
}

/** Filters for {@link CheckpointStore.listExecutions}. */
export interface ListExecutionsQuery {
  service?: string;
  status?: ExecutionStatus;
  limit?: number;
  cursor?: string;
}

/** What {@link CheckpointStore.repinExecution} moves, and the state it insists on finding. */
export interface RepinRequest {
  /** The version the execution must be pinned to now. */
  from: PinnedVersion;
  /** The version it is pinned to afterwards. */
  to: PinnedVersion;
  /**
   * The claim epoch the caller's check held for (a replay verdict's `invocations`): any claim since then may have
   * recorded more of the journal, which the check never saw.
   */
  invocations: number;
}

/** Filters for {@link CheckpointStore.findResumable}. */
export interface ResumableQuery {
  service: string;
  now: number;
  limit: number;
}

/**
 * The one interface the engine talks to. Every method is one request to the
 * backing service (a conditional write, or one consistent query) so the engine's
 * costs hold: a claim, one journal load, one write per operation, a finish.
 * Implementations never interpret serialized values and never need
 * transactions: each write is conditional on the single item it touches.
 */
export interface CheckpointStore {
  /**
   * One conditional write that creates the execution (status RUNNING, leased
   * to `owner`, with the request's `timeoutAt` and `expiresAt`) or takes its
   * lease when it is SUSPENDED, or RUNNING with an expired lease (or already
   * leased to `owner`), counting one more invocation: the returned record's
   * `invocations` is this invocation's epoch. An existing execution keeps its
   * input, `timeoutAt` and `expiresAt`. Finished, busy, conflicting and
   * missing executions are reported, not written.
   *
   * A claim made again after its answer was lost (the same request: owner and
   * `leaseExpiresAt`), or one that finds its own write landed, reports
   * `claimed` with the record as it stands, counted once, never `busy`
   * against its own lease.
   */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;

  /** The whole journal of an execution, ordered by position, in one consistent read. */
  loadJournal(key: ExecutionKey): Promise<OperationRecord[]>;

  /**
   * Writes one operation record if what stands at its position is `expected`
   * (nothing, for `null`): first writer wins. A refused write returns the
   * record that stands there, for the loser to adopt; after a lost answer
   * that is the writer's own record, which it recognises (owner, epoch).
   * Every field round-trips exactly; the store may delete the record after
   * its `expiresAt`.
   */
  writeOperation(
    key: ExecutionKey,
    record: OperationRecord,
    expected: ExpectedOperation,
  ): Promise<ConditionalWriteOutcome<OperationRecord>>;

  /**
   * Ends (SUCCEEDED / FAILED) or pauses (SUSPENDED) the execution and releases
   * the lease, if it is not already finished and `owner` still holds the
   * lease: an invocation whose lease was taken over never ends or pauses the
   * execution of the one that took it. SUSPENDED keeps an earlier `resumeAt`
   * requested meanwhile (a completed callback); SUSPENDED with `resumeAt: now`
   * releases the lease so that the sweeper or a retry picks the execution up
   * at once. A refused write returns the record as it stands: after a lost
   * answer of a finish, the finished record with this invocation's own result.
   */
  transition(
    key: ExecutionKey,
    owner: string,
    to: ExecutionTransition,
    now: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>>;

  /**
   * Asks a SUSPENDED execution to be resumed at `resumeAt` (or sooner), e.g.
   * after a callback completed. Does nothing to executions that are not
   * suspended or already want to resume earlier.
   */
  requestResume(key: ExecutionKey, resumeAt: number): Promise<void>;

  /**
   * Pins the execution to another published version (`durable-gen migrate`), in one conditional write: only if it
   * exists, is SUSPENDED, is pinned to exactly `from`, and was claimed exactly `invocations` times. A RUNNING one
   * never moves, even with an expired lease: whether its invocation is gone or still writing, only a clock can
   * tell, and the mover's clock may be ahead; the next claim (the sweeper's) settles it, and changes `invocations`. True when it moved; false when any condition failed, and then nothing changed.
   * Nothing else of the execution changes (no lease, no epoch, no resumeAt).
   */
  repinExecution(key: ExecutionKey, request: RepinRequest): Promise<boolean>;

  /** The execution's record, or undefined. */
  getExecution(key: ExecutionKey): Promise<ExecutionRecord | undefined>;

  /** Executions, newest first, for tools (`durable-gen executions list`). */
  listExecutions(query: ListExecutionsQuery): Promise<ExecutionPage>;

  /**
   * What the sweeper of a service re-invokes: its SUSPENDED executions whose
   * `resumeAt` is at or before `now`, and its RUNNING ones whose lease expired
   * before `now`, earliest first, at most `limit`. Only the service's own
   * executions count: an entry another service forged in its own key space
   * is skipped, not counted toward `limit`.
   */
  findResumable(query: ResumableQuery): Promise<ExecutionRecord[]>;
}
