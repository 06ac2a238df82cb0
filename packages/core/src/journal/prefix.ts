import type { OperationRecord } from './records.js';

/**
 * Splits a journal into the records a replay may trust and the stale ones.
 *
 * Checkpoints of at-least-once steps are written without waiting (pipelined,
 * see Execution), so an invocation that dies can leave a gap: position 4
 * unwritten while 5 landed. Step 5 was called with what step 4 returned then;
 * step 4 runs again on replay and may return something else, so step 5's
 * record cannot be trusted. The rule: within each scope (the top level, each
 * parallel/map branch), only the records before the first missing position are
 * live; everything after it, descendants included, is stale and will be
 * overwritten when the code reaches it again.
 *
 * Positions alternate counters and branch indexes (`7.2.1`: operation 7,
 * branch 2, operation 1): the rule applies to counters only, since branches
 * run concurrently and need not start in order.
 */
export function splitStale(records: readonly OperationRecord[]): { live: OperationRecord[]; stale: OperationRecord[] } {
  if (records.every((record) => !record.position.includes('.'))) return splitTopLevel(records);
  const present = new Set<string>();
  for (const record of records) {
    const parts = record.position.split('.');
    // A position is present if it, or anything under it, was recorded (a parallel writes its own record last).
    for (let i = 1; i <= parts.length; i += 2) present.add(parts.slice(0, i).join('.'));
  }
  const firstGap = new Map<string, number>();
  const gapOf = (scope: string): number => {
    let gap = firstGap.get(scope);
    if (gap === undefined) {
      gap = 1;
      while (present.has(scope === '' ? String(gap) : `${scope}.${gap}`)) gap++;
      firstGap.set(scope, gap);
    }
    return gap;
  };
  const live: OperationRecord[] = [];
  const stale: OperationRecord[] = [];
  for (const record of records) {
    const parts = record.position.split('.');
    let isStale = false;
    for (let i = 0; i < parts.length && !isStale; i += 2) {
      isStale = Number(parts[i]) > gapOf(parts.slice(0, i).join('.'));
    }
    (isStale ? stale : live).push(record);
  }
  return { live, stale };
}

/** {@link splitStale} for a journal of top-level positions only (no parallel/map): the common case, kept cheap. */
function splitTopLevel(records: readonly OperationRecord[]): { live: OperationRecord[]; stale: OperationRecord[] } {
  const present = new Set<number>();
  for (const record of records) present.add(Number(record.position));
  let gap = 1;
  while (present.has(gap)) gap++;
  const live: OperationRecord[] = [];
  const stale: OperationRecord[] = [];
  for (const record of records) (Number(record.position) < gap ? live : stale).push(record);
  return { live, stale };
}
