/**
 * A clock tests move by hand: pass `clock.now` as `createHandler(..., { now })`
 * (and to `completeCallback`), then `advance` it to make sleeps end, retry
 * delays pass and leases expire without waiting.
 */
export class ManualClock {
  #time: number;

  /**
   * Starts at `startAt` epoch ms, by default the current second of the real
   * clock: stores derive record expiry (DynamoDB TTL) from this clock, and a
   * server deletes records whose expiry has passed in real time.
   */
  constructor(startAt = Math.floor(Date.now() / 1_000) * 1_000) {
    this.#time = startAt;
  }

  /** The current time in epoch ms; an arrow function, so it can be passed around unbound. */
  readonly now = (): number => this.#time;

  /** Moves the clock forward by `ms` and returns the new time. */
  advance(ms: number): number {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0 (got ${ms})`);
    this.#time += ms;
    return this.#time;
  }
}
