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

/** An existing checkpoint table does not have the schema the store needs; nothing was changed in it. */
export class TableSchemaError extends DurableError {
  static override readonly code = 'TABLE_SCHEMA';
  constructor(
    readonly tableName: string,
    readonly problems: readonly string[],
  ) {
    super(
      TableSchemaError.code,
      `Checkpoint table '${tableName}' cannot hold executions: ${problems.join('; ')}. Point the service at ` +
        'another table (a new one is created with the right schema), or recreate this one with ' +
        'DynamoDbStore.createTable.',
    );
  }
}
