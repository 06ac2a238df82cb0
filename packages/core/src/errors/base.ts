/** Marks errors of this package, whichever copy of it made them (a bundled handler and a test each have one). */
export const DURABLE_ERROR_BRAND = Symbol.for('@durable/core.DurableError');

/** Options every durable error accepts: the underlying `cause`. */
export interface DurableErrorOptions {
  cause?: unknown;
}

/**
 * Base of every error this package throws. `code` is stable across versions:
 * match on it (or use `instanceof`, which checks the code, so it keeps working
 * when two copies of this package meet, e.g. a bundled handler and a test).
 */
export class DurableError extends Error {
  /** Stable, machine-readable identifier of the error kind. */
  static readonly code: string = 'DURABLE_ERROR';
  /** Whether trying the same thing again later may succeed. */
  readonly retryable: boolean;
  declare readonly [DURABLE_ERROR_BRAND]: true;

  constructor(
    readonly code: string,
    message: string,
    options?: DurableErrorOptions & { retryable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options?.retryable ?? false;
    Object.defineProperty(this, DURABLE_ERROR_BRAND, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (
      typeof value !== 'object' ||
      value === null ||
      (value as Record<symbol, unknown>)[DURABLE_ERROR_BRAND] !== true
    ) {
      return false;
    }
    // `this` is the class `instanceof` was asked about: a subclass matches by its code.
    // biome-ignore lint/complexity/noThisInStatic: the subclass's own static code is meant
    return this === DurableError || (value as DurableError).code === this.code;
  }
}

/** True when `value` is an error of this package (from any copy of it), optionally with the given code. */
export function isDurableError(value: unknown, code?: string): value is DurableError {
  return value instanceof DurableError && (code === undefined || value.code === code);
}
