import type { RetryDecision } from '@aws/durable-execution-sdk-js';
import type { RetryPolicy } from '../context/step-options.js';
import { isRetryable, resolveRetryPolicy, retryDelayMs } from '../engine/retry.js';
import { carriedBy } from './carried-errors.js';

/** The SDK's name for the error it reports when an at-most-once attempt was started but never finished. */
export const SDK_INTERRUPTED_ERROR = 'StepInterruptedError';

/** The `retryStrategy` the SDK calls after a failed attempt. */
export type RetryStrategy = (error: Error, attemptCount: number) => RetryDecision;

/** Never again: what every operation without a retry policy of its own gets (the SDK's default retries 6 times). */
export const noRetry: RetryStrategy = () => ({ shouldRetry: false });

/**
 * A step's retry policy as the SDK's `retryStrategy`, which the adapter always passes: without one the SDK
 * would retry 6 times from 5 s. Attempts, backoff and jitter are the policy's (the same defaults as the dynamodb
 * engine: 3 attempts, 1 for at-most-once steps); errors this package marks not retryable (`NonRetryableError`,
 * a `PayloadTooLargeError`, …) fail at once. The service waits whole seconds, at least 1, so each delay is
 * rounded up to whole seconds; each retry ends the invocation, and the next one replays up to the step.
 */
export function retryStrategyOf(policy: RetryPolicy | undefined, isAtMostOnce: boolean): RetryStrategy {
  const resolved = resolveRetryPolicy(policy, isAtMostOnce);
  return (error, attemptCount) => {
    const failedAttempt = failedAttemptOf(error, attemptCount);
    if (failedAttempt >= resolved.maxAttempts) return { shouldRetry: false };
    // An interrupted at-most-once attempt may have taken effect: tried again only because the policy allows it.
    const original = error.name === SDK_INTERRUPTED_ERROR ? undefined : (carriedBy(error) ?? error);
    if (original !== undefined && !isRetryable(original)) return { shouldRetry: false };
    const seconds = Math.max(1, Math.ceil(retryDelayMs(resolved, failedAttempt) / 1000));
    return { shouldRetry: true, delay: { seconds } };
  };
}

/**
 * The attempt that failed, from what the SDK passes its `retryStrategy`: the number of the attempt that just
 * failed, except for an interrupted at-most-once attempt found on replay, where it passes the number of the next.
 */
export function failedAttemptOf(error: Error, attemptCount: number): number {
  return error.name === SDK_INTERRUPTED_ERROR ? Math.max(1, attemptCount - 1) : attemptCount;
}
