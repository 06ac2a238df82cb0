import { type ExecutionRecord, type ExecutionStatus, isFinalStatus, type OperationRecord } from '../journal/records.js';
import type { ClaimOutcome, ClaimRequest, RepinRequest } from './checkpoint-store.js';

/**
 * The rules every store applies, in one place so MemoryStore and
 * DynamoDbStore cannot drift apart: what a claim does to what it finds, and
 * what the sweeper resumes.
 */

/** SUCCEEDED or FAILED: nothing will run again. */
export function isFinished(status: ExecutionStatus): boolean {
  return isFinalStatus(status);
}

/**
 * What a claim does given the current record (undefined when absent). A
 * `claimed` outcome carries the record to write (the current one, unchanged,
 * when the same claim is made again); its `invocations` is the new claim
 * epoch.
 */
export function claimDecision(current: ExecutionRecord | undefined, request: ClaimRequest): ClaimOutcome {
  if (current === undefined) {
    if (request.input === undefined || request.workflow === undefined) return { kind: 'not-found' };
    const record: ExecutionRecord = {
      ...request.key,
      workflow: request.workflow,
      status: 'RUNNING',
      input: request.input.serialized,
      inputHash: request.input.hash,
      leaseOwner: request.owner,
      leaseExpiresAt: request.leaseExpiresAt,
      createdAt: request.now,
      updatedAt: request.now,
      invocations: 1,
    };
    if (request.secret !== undefined) record.secret = request.secret;
    // Engines built before these fields existed do not send them: such executions get none.
    if (request.timeoutAt !== undefined) record.timeoutAt = request.timeoutAt;
    if (request.expiresAt !== undefined) record.expiresAt = request.expiresAt;
    if (request.version !== undefined) record.pinnedVersion = { ...request.version };
    return { kind: 'claimed', isNew: true, record };
  }
  // Conflicts first: a finished execution must not answer an event that asks for another run with its output.
  if (request.workflow !== undefined && request.workflow !== current.workflow) {
    return { kind: 'conflict', record: current, reason: 'workflow' };
  }
  if (request.input !== undefined && request.input.hash !== current.inputHash) {
    return { kind: 'conflict', record: current, reason: 'input' };
  }
  // A finished execution answers from its record, whichever code asks: nothing of it runs again.
  if (isFinished(current.status)) return { kind: 'finished', record: current };
  if (isOtherVersion(current, request)) return { kind: 'wrong-version', record: current };
  if (isThisClaim(current, request)) {
    // This very claim stands there already (a repeat of a claim whose answer was lost): it counts once.
    return { kind: 'claimed', isNew: current.invocations === 1, record: current };
  }
  if (
    current.status === 'RUNNING' &&
    current.leaseOwner !== request.owner &&
    current.leaseExpiresAt !== undefined &&
    current.leaseExpiresAt > request.now
  ) {
    return { kind: 'busy', record: current };
  }
  const record: ExecutionRecord = {
    ...current,
    status: 'RUNNING',
    leaseOwner: request.owner,
    leaseExpiresAt: request.leaseExpiresAt,
    updatedAt: request.now,
    invocations: current.invocations + 1,
  };
  delete record.resumeAt;
  // Existing executions keep theirs; one created before these fields existed gets them now.
  if (record.timeoutAt === undefined && request.timeoutAt !== undefined) record.timeoutAt = request.timeoutAt;
  if (record.expiresAt === undefined && request.expiresAt !== undefined) record.expiresAt = request.expiresAt;
  if (record.pinnedVersion === undefined && request.version !== undefined)
    record.pinnedVersion = { ...request.version };
  return { kind: 'claimed', isNew: false, record };
}

/**
 * True when the execution is pinned to another version of its function than
 * the one this invocation runs. An invocation outside Lambda (no version)
 * is not compared: local tools and tests run the code at hand.
 */
export function isOtherVersion(current: ExecutionRecord, request: ClaimRequest): boolean {
  const pinned = current.pinnedVersion;
  return (
    pinned !== undefined &&
    request.version !== undefined &&
    (pinned.version !== request.version.version || pinned.functionArn !== request.version.functionArn)
  );
}

/** True when the execution is RUNNING under exactly the lease `request` asks for: that claim was made already. */
export function isThisClaim(current: ExecutionRecord, request: ClaimRequest): boolean {
  return (
    current.status === 'RUNNING' &&
    current.leaseOwner === request.owner &&
    current.leaseExpiresAt === request.leaseExpiresAt
  );
}

/**
 * True when the sweeper should re-invoke the execution at `now`: SUSPENDED
 * with a `resumeAt` at or before `now`, or RUNNING with a lease that expired
 * before `now` (its invocation died holding it).
 */
export function isResumable(record: ExecutionRecord, now: number): boolean {
  return (
    (record.status === 'SUSPENDED' && record.resumeAt !== undefined && record.resumeAt <= now) ||
    (record.status === 'RUNNING' && record.leaseExpiresAt !== undefined && record.leaseExpiresAt < now)
  );
}

/**
 * True when {@link CheckpointStore.repinExecution} may move the execution: SUSPENDED (no invocation can be writing
 * to it: a RUNNING one's lease is judged by clocks that may disagree), pinned to exactly `request.from`, and claimed
 * exactly `request.invocations` times (nothing ran since the caller's check).
 */
export function canRepin(current: ExecutionRecord, request: RepinRequest): boolean {
  const pinned = current.pinnedVersion;
  return (
    current.status === 'SUSPENDED' &&
    pinned !== undefined &&
    pinned.functionArn === request.from.functionArn &&
    pinned.version === request.from.version &&
    current.invocations === request.invocations
  );
}

/** Orders positions as the journal does: `2` < `10`, `7` < `7.1` < `7.2` < `8`. */
export function comparePositions(a: string, b: string): number {
  // Most positions are top-level counters: no need to split them.
  if (!a.includes('.') && !b.includes('.')) return Number(a) - Number(b);
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

/** Sort comparator of operation records by position. */
export function positionOrder(a: OperationRecord, b: OperationRecord): number {
  return comparePositions(a.position, b.position);
}
