import type { RetryPolicy } from '../context/step-options.js';
import { isDurableError } from '../errors.js';

export type { RetryPolicy };

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
