import type { ExecutionKey, ExpectedOperation, OperationRecord } from '../journal/records.js';
import type { CheckpointStore, ConditionalWriteOutcome } from '../stores/checkpoint-store.js';

/** Pipelined checkpoint writes under way at once, at most. */
const PIPELINE_DEPTH = 8;

type WriteOutcome = ConditionalWriteOutcome<OperationRecord>;

/**
 * The checkpoint writes of one invocation. Every write is one conditional
 * `writeOperation`; this class only keeps track of the ones under way, so
 * that what others can observe waits for them ({@link barrier}) and the
 * invocation ends only once they have all landed ({@link settled}).
 */
export class Checkpoints {
  readonly #store: CheckpointStore;
  readonly #key: ExecutionKey;
  /** Every write under way. */
  readonly #underWay = new Set<Promise<unknown>>();
  /** The subset the workflow did not wait for (pipelined). */
  readonly #pipelined = new Set<Promise<unknown>>();

  constructor(store: CheckpointStore, key: ExecutionKey) {
    this.#store = store;
    this.#key = key;
  }

  /** One conditional write, awaited by its operation. */
  write(record: OperationRecord, expected: ExpectedOperation): Promise<WriteOutcome> {
    return this.#track(this.#underWay, this.#store.writeOperation(this.#key, record, expected));
  }

  /**
   * Starts a write the workflow does not wait for (pipelined checkpoints):
   * resolves once there is room for it, with the write's own outcome handed to
   * `onOutcome` when it lands.
   */
  async pipeline(
    record: OperationRecord,
    expected: ExpectedOperation,
    onOutcome: (outcome: WriteOutcome) => void,
  ): Promise<void> {
    while (this.#pipelined.size >= PIPELINE_DEPTH) await Promise.race(this.#pipelined);
    const write = this.write(record, expected).then(onOutcome, () => {}); // a fault already stopped the invocation
    this.#track(this.#pipelined, write);
  }

  /** True while a pipelined write is under way. */
  get hasPipelined(): boolean {
    return this.#pipelined.size > 0;
  }

  /**
   * Waits until every write under way has landed (or failed): before an
   * operation others can observe (an at-most-once step, a sleep, an invoke,
   * a callback) and before the invocation ends or suspends.
   */
  async settled(): Promise<void> {
    // The pipelined set holds each write with its outcome handled: a refusal has stopped the invocation by then.
    while (this.#underWay.size > 0 || this.#pipelined.size > 0) {
      await Promise.allSettled([...this.#underWay, ...this.#pipelined]);
    }
  }

  #track<T>(set: Set<Promise<unknown>>, write: Promise<T>): Promise<T> {
    const tracked = write.finally(() => set.delete(tracked));
    tracked.catch(() => {}); // its own caller handles the failure; the set only waits for it
    set.add(tracked);
    return tracked;
  }
}
