import type { Basis } from '../context/active-scope.js';
import { NonDeterminismError } from '../errors.js';
import type { OperationRecord, OperationSignature } from '../journal/records.js';
import { splitTrusted } from '../journal/trust.js';

/**
 * What one invocation replays: the trusted records of the journal it loaded
 * (see journal/trust.ts), which of them the code has reached again, and the
 * untrusted ones it will overwrite. Every operation passes through
 * {@link take} when it gets its position: that is the replay check.
 */
export class ReplayState {
  readonly #recorded = new Map<string, OperationRecord>();
  readonly #consumed = new Set<string>();
  /** Positions each scope recorded directly ('' = top level, '7.2' = branch 2 of the parallel at 7). */
  readonly #byScope = new Map<string, string[]>();
  /** Scopes that have recorded positions under them: a parallel/map that was under way. */
  readonly #recordedParents = new Set<string>();
  /** Records written on a path that did not survive: not replayed, overwritten when the code gets there. */
  readonly #untrusted = new Map<string, OperationRecord>();

  constructor(journal: readonly OperationRecord[]) {
    const { trusted, untrusted } = splitTrusted(journal);
    for (const record of untrusted) this.#untrusted.set(record.position, record);
    for (const record of trusted) {
      this.#recorded.set(record.position, record);
      const scope = scopeOf(record.position);
      const positions = this.#byScope.get(scope);
      if (positions === undefined) this.#byScope.set(scope, [record.position]);
      else positions.push(record.position);
      this.#addParents(record.position);
    }
  }

  /** Marks every parallel/map a position lies in (`7` and `7.2.3` for `7.2.3.1.4`) as recorded under way. */
  #addParents(position: string): void {
    // One pass, each prefix a slice of the position: a deeply nested one costs its length, not its length squared.
    let dots = 0;
    for (let at = position.indexOf('.'); at !== -1; at = position.indexOf('.', at + 1)) {
      if (dots % 2 === 0) this.#recordedParents.add(position.slice(0, at));
      dots += 1;
    }
  }

  /** True while recorded operations remain that the code has not reached again. */
  get isReplaying(): boolean {
    return this.#consumed.size < this.#recorded.size;
  }

  /**
   * The recorded operation at `position`, after checking it is the one the
   * code calls now; a {@link NonDeterminismError} when it is not.
   */
  take(position: string, actual: OperationSignature): OperationRecord | undefined {
    const recorded = this.#recorded.get(position);
    if (recorded === undefined) {
      if (this.#recordedParents.has(position) && actual.kind !== 'parallel' && actual.kind !== 'map') {
        throw new NonDeterminismError(position, { kind: 'parallel', name: '(unfinished)', argsHash: '' }, actual);
      }
      return undefined;
    }
    this.#consumed.add(position);
    if (recorded.kind !== actual.kind || recorded.name !== actual.name || recorded.argsHash !== actual.argsHash) {
      throw new NonDeterminismError(position, signatureOf(recorded), actual);
    }
    return recorded;
  }

  /**
   * The untrusted record at `position`, trusted after all when it follows
   * exactly what the code's path has now (`basis`): the record it follows
   * landed after the journal was loaded (an older invocation, still running,
   * wrote both). Replacing it would cut off what that invocation writes next.
   * Checked like {@link take}.
   */
  takeLate(position: string, actual: OperationSignature, basis: Basis | undefined): OperationRecord | undefined {
    const record = this.#untrusted.get(position);
    const link = record?.follows;
    if (record === undefined || link === undefined || basis === undefined) return undefined;
    if (link.position !== basis.position || link.epoch !== basis.epoch) return undefined;
    this.#untrusted.delete(position);
    this.#recorded.set(position, record);
    return this.take(position, actual);
  }

  /** The untrusted record standing at `position`, once: the write that replaces it expects it there. */
  takeUntrusted(position: string): OperationRecord | undefined {
    const record = this.#untrusted.get(position);
    if (record !== undefined) this.#untrusted.delete(position);
    return record;
  }

  /**
   * The first recorded position directly in `scope` that the code did not
   * reach: checked when a parallel/map branch ends (so dropping a branch's last
   * operation is noticed before the workflow goes on) and when the workflow
   * returns (`''`, and then every scope).
   */
  unreached(scope?: string): OperationRecord | undefined {
    const positions = scope === undefined ? this.#recorded.keys() : (this.#byScope.get(scope) ?? []);
    for (const position of positions) if (!this.#consumed.has(position)) return this.#recorded.get(position);
    return undefined;
  }
}

/** The scope a position belongs to: `7.2.3` → `7.2`, `4` → ``. */
function scopeOf(position: string): string {
  const dot = position.lastIndexOf('.');
  return dot === -1 ? '' : position.slice(0, dot);
}

export function signatureOf(record: OperationRecord): OperationSignature {
  return {
    kind: record.kind,
    name: record.name,
    argsHash: record.argsHash,
    ...(record.args === undefined ? {} : { args: record.args }),
  };
}
