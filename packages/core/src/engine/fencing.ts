import type { OperationRecord } from '../journal/records.js';

/**
 * What a refused checkpoint write means, from the record that stands at the
 * position instead (the rule "concurrent writers are fenced, never mixed"):
 * - `own`: it is this invocation's own record: the write landed before, and
 *   its answer was lost (the client retried it);
 * - `adopt`: another invocation recorded the same operation, on the same
 *   path, and finished it: its outcome is the outcome;
 * - `stop`: anything else: a newer invocation owns the execution, or the
 *   record belongs to another path or is still in progress. This invocation
 *   stops without writing more; a retry replays the winner's journal.
 */
export type Refusal = { kind: 'own' } | { kind: 'adopt'; winner: OperationRecord } | { kind: 'stop'; reason: string };

/** Judges a refused write of `mine` (by the invocation of `epoch`) given the record standing there now. */
export function judgeRefusal(mine: OperationRecord, standing: OperationRecord | undefined, epoch: number): Refusal {
  if (standing === undefined) return { kind: 'stop', reason: `position ${mine.position} could not be written` };
  if (standing.epoch === epoch && standing.status === mine.status && standing.attempt === mine.attempt) {
    return { kind: 'own' };
  }
  if (standing.epoch > epoch) {
    return {
      kind: 'stop',
      reason: `a newer invocation (claim ${standing.epoch}, this one is ${epoch}) recorded position ${mine.position}`,
    };
  }
  if (!isSameOperation(mine, standing)) {
    return {
      kind: 'stop',
      reason: `position ${mine.position} holds ${standing.kind} '${standing.name}' of another invocation's path`,
    };
  }
  if (standing.status !== 'SUCCEEDED' && standing.status !== 'FAILED') {
    return { kind: 'stop', reason: `position ${mine.position} is being run by another invocation` };
  }
  return { kind: 'adopt', winner: standing };
}

/**
 * The same operation on the same path: kind, name and arguments, and the same
 * record followed. A callback completed before its wait was recorded carries
 * what its token said.
 */
function isSameOperation(mine: OperationRecord, standing: OperationRecord): boolean {
  return (
    mine.kind === standing.kind &&
    mine.name === standing.name &&
    mine.argsHash === standing.argsHash &&
    mine.follows?.position === standing.follows?.position &&
    mine.follows?.epoch === standing.follows?.epoch
  );
}
