import type { OperationRecord } from './records.js';

/**
 * Splits a loaded journal into the records a replay may trust and the ones it
 * must not.
 *
 * Each record names the record its path followed (`follows`: the position and
 * the epoch of the writer of the last outcome the workflow had when it called
 * the operation). A record is trusted when the record it follows stands there,
 * written by that same epoch, and is trusted itself. Otherwise it was written
 * on a path that did not survive:
 * - an invocation that outlived its lease and lost a race at an earlier
 *   position, then went on along its own path (the newer invocation's record
 *   stands there, with another epoch);
 * - a pipelined checkpoint that landed after the one before it was lost in a
 *   crash (the record it follows is missing).
 * Untrusted records are neither replayed nor checked: the code runs those
 * operations again and overwrites them.
 */
export function splitTrusted(records: readonly OperationRecord[]): {
  trusted: OperationRecord[];
  untrusted: OperationRecord[];
} {
  const byPosition = new Map<string, OperationRecord>();
  for (const record of records) byPosition.set(record.position, record);
  const verdicts = new Map<string, boolean>();
  const isTrusted = (record: OperationRecord): boolean => {
    const known = verdicts.get(record.position);
    if (known !== undefined) return known;
    // Iterative: a journal of 10 000 sequential steps is a chain 10 000 long.
    const chain: OperationRecord[] = [];
    let verdict = true;
    for (let current: OperationRecord | undefined = record; current !== undefined; ) {
      const cached = verdicts.get(current.position);
      if (cached !== undefined) {
        verdict = cached;
        break;
      }
      chain.push(current);
      const link: OperationRecord['follows'] = current.follows;
      if (link === undefined) break;
      const followed = byPosition.get(link.position);
      if (followed === undefined || followed.epoch !== link.epoch || !precedes(link.position, current.position)) {
        verdict = false;
        break;
      }
      current = followed;
    }
    for (const visited of chain) verdicts.set(visited.position, verdict);
    return verdict;
  };
  const trusted: OperationRecord[] = [];
  const untrusted: OperationRecord[] = [];
  for (const record of records) (isTrusted(record) ? trusted : untrusted).push(record);
  return { trusted, untrusted };
}

/** A record can only follow an earlier position: a link forward (a damaged or forged record) is not trusted. */
function precedes(earlier: string, later: string): boolean {
  if (!earlier.includes('.') && !later.includes('.')) return Number(earlier) < Number(later);
  const a = earlier.split('.');
  const b = later.split('.');
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Number(a[i]) - Number(b[i]);
    if (d !== 0) return d < 0;
  }
  return a.length < b.length;
}
