import { DurableError, type DurableErrorOptions } from './base.js';

/** A store request failed for a reason that may pass (throttling, a 5xx, the network). Retryable. */
export class StoreUnavailableError extends DurableError {
  static override readonly code = 'STORE_UNAVAILABLE';
  constructor(operation: string, options?: DurableErrorOptions) {
    super(
      StoreUnavailableError.code,
      `The checkpoint store failed during ${operation}; nothing inconsistent was recorded. The invocation can be retried.`,
      { ...options, retryable: true },
    );
  }
}
