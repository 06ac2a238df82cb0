import { describe, expect, it } from 'vitest';
import { NonRetryableError } from '../errors.js';
import { CarriedError } from './carried-errors.js';
import { retryStrategyOf, SDK_INTERRUPTED_ERROR } from './retry-strategy.js';

/** A step's retry policy as the SDK's retryStrategy: what the SDK is told after each failed attempt. */

const failure = new CarriedError(new Error('busy'));

describe('retryStrategyOf', () => {
  it('allows the policy’s attempts, each delay in whole seconds and at least 1', () => {
    const strategy = retryStrategyOf({ maxAttempts: 3, initialDelayMs: 1_500, backoffRate: 2, jitter: 'none' }, false);
    expect(strategy(failure, 1)).toEqual({ shouldRetry: true, delay: { seconds: 2 } });
    expect(strategy(failure, 2)).toEqual({ shouldRetry: true, delay: { seconds: 3 } });
    expect(strategy(failure, 3)).toEqual({ shouldRetry: false });
    expect(retryStrategyOf({ initialDelayMs: 10 }, false)(failure, 1)).toEqual({
      shouldRetry: true,
      delay: { seconds: 1 },
    });
  });

  it('tries 3 times by default, an at-most-once step once', () => {
    expect(retryStrategyOf(undefined, false)(failure, 2).shouldRetry).toBe(true);
    expect(retryStrategyOf(undefined, false)(failure, 3).shouldRetry).toBe(false);
    expect(retryStrategyOf(undefined, true)(failure, 1).shouldRetry).toBe(false);
  });

  it('never retries an error this package marks not retryable, carried or not', () => {
    const strategy = retryStrategyOf({ maxAttempts: 5 }, false);
    expect(strategy(new CarriedError(new NonRetryableError('4xx')), 1)).toEqual({ shouldRetry: false });
    expect(strategy(new NonRetryableError('4xx'), 1)).toEqual({ shouldRetry: false });
  });

  it('counts an interrupted at-most-once attempt as the one before the number the SDK passes', () => {
    const interrupted = Object.assign(new Error('interrupted'), { name: SDK_INTERRUPTED_ERROR });
    // The SDK passes 2 for an interruption found in attempt 1.
    expect(retryStrategyOf({ maxAttempts: 2 }, true)(interrupted, 2).shouldRetry).toBe(true);
    expect(retryStrategyOf(undefined, true)(interrupted, 2).shouldRetry).toBe(false);
  });
});
