import { isDurableError } from '../errors.js';

/** How a failing step is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 3 (1 for at-most-once steps). */
  maxAttempts?: number;
  /** Delay before the second attempt. Default 200 ms. */
  initialDelayMs?: number;
  /** Each further delay is the previous one times this. Default 2. */
  backoffRate?: number;
  /** Upper bound of one delay. Default 60 000 ms. */
  maxDelayMs?: number;
  /**
   * `full` (default): a random delay between 0 and the computed one, so that
   * many failing executions do not retry in step; `equal`: half fixed, half
   * random; `none`: exactly the computed delay.
   */
  jitter?: 'none' | 'full' | 'equal';
}

export type ResolvedRetryPolicy = Required<RetryPolicy>;

const DEFAULTS: Omit<ResolvedRetryPolicy, 'maxAttempts'> = {
  initialDelayMs: 200,
  backoffRate: 2,
  maxDelayMs: 60_000,
  jitter: 'full',
};

export function resolveRetryPolicy(policy: RetryPolicy | undefined, isAtMostOnce: boolean): ResolvedRetryPolicy {
  return { maxAttempts: isAtMostOnce ? 1 : 3, ...DEFAULTS, ...policy };
}

/** The delay before attempt `failedAttempt + 1`, with the policy's jitter. Timing only: never recorded. */
export function retryDelayMs(
  policy: ResolvedRetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.backoffRate ** (failedAttempt - 1));
  switch (policy.jitter) {
    case 'none':
      return base;
    case 'equal':
      return base / 2 + random() * (base / 2);
    default:
      return random() * base;
  }
}

/** Errors no retry can fix: this package's non-retryable errors (bad values, NonRetryableError, …). */
export function isRetryable(error: unknown): boolean {
  return !isDurableError(error) || error.retryable;
}
