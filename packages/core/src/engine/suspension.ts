/** A promise that never settles: what an operation returns once its invocation stops before it could finish. */
export const NEVER: Promise<never> = new Promise<never>(() => {});

/** Unwinds an operation that suspends, up to where it is counted (never seen by workflow code). */
const SUSPENDED = Symbol('suspended');

/**
 * Decides when an invocation suspends. Operations are counted while under
 * way; one that must wait longer than the invocation may asks to suspend and
 * leaves the count. The invocation suspends once no operation is under way
 * any more, so concurrent branches still record what they can, and wakes at
 * the earliest time any of them asked for (capped by the execution's own
 * timeout, so nothing waits past it).
 */
export class Suspension {
  #inFlight = 0;
  #requested = false;
  #earliestResume: number | undefined;
  readonly #timeoutAt: number;
  readonly #onIdle: (resumeAt: number) => void;

  constructor(timeoutAt: number, onIdle: (resumeAt: number) => void) {
    this.#timeoutAt = timeoutAt;
    this.#onIdle = onIdle;
  }

  /** Operations under way now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Asks to suspend until `resumeAt` (undefined: until something from outside
   * resumes it, or the execution times out). The returned promise rejects with
   * a marker that {@link track} turns into a wait that never ends.
   */
  request(resumeAt: number | undefined): Promise<never> {
    this.#requested = true;
    const at = Math.min(resumeAt ?? this.#timeoutAt, this.#timeoutAt);
    this.#earliestResume = this.#earliestResume === undefined ? at : Math.min(this.#earliestResume, at);
    return Promise.reject(SUSPENDED);
  }

  /**
   * Counts a call that waits without being under way and without a time to
   * wake at: a replay's call the journal holds no outcome for yet (see
   * `Execution.begin`), which never settles. The invocation suspends once
   * nothing else is under way, as if that call had asked to.
   */
  park(): void {
    this.#requested = true;
    this.#earliestResume = Math.min(this.#earliestResume ?? this.#timeoutAt, this.#timeoutAt);
    // Nothing under way may be left to notice the idle moment when it ends: look now, after pending continuations.
    if (this.#inFlight === 0) this.#checkIdleSoon();
  }

  /** Counts an operation as under way while `work` runs; one that suspends leaves the count and never settles. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.#inFlight += 1;
    try {
      return await work();
    } catch (error) {
      if (error === SUSPENDED) return NEVER;
      throw error;
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0 && this.#requested) this.#checkIdleSoon();
    }
  }

  #checkIdleSoon(): void {
    // After pending microtasks (continuations that start further operations) have run.
    setImmediate(() => {
      if (this.#inFlight === 0 && this.#requested && this.#earliestResume !== undefined) {
        this.#onIdle(this.#earliestResume);
      }
    });
  }
}
