/**
 * A small seeded pseudo-random generator (mulberry32) for fuzz tests that
 * print their seed: the same seed draws the same plan again. Streams are
 * derived by name (`derive('execution', 7)`), so what one part of a test
 * draws never shifts what another part gets.
 */
export class SeededRandom {
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('SeededRandom.pick: no items');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** An independent stream named by `parts`, the same for the same seed and parts. */
  derive(...parts: ReadonlyArray<string | number>): SeededRandom {
    let hash = this.seed ^ 0x811c9dc5;
    for (const char of parts.join('\u0000')) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
    return new SeededRandom(hash >>> 0);
  }
}

/** A fresh seed from the clock, or the one the environment variable `name` pins (to replay a failure). */
export function seedFrom(name: string): number {
  const text = process.env[name];
  if (text === undefined || text === '') return (Date.now() ^ (process.pid << 16)) >>> 0;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new Error(`${name} must be an integer in [0, 2^32) (got '${text}')`);
  }
  return seed;
}
