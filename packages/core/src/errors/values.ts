/** The errors of values on their way into the journal: too large, or not data. */

import { DurableError, type DurableErrorOptions } from './base.js';

/** A value is larger than the configured maximum payload. Not retryable. */
export class PayloadTooLargeError extends DurableError {
  static override readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(
    readonly what: string,
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      PayloadTooLargeError.code,
      `${what} is ${sizeBytes} bytes serialized, over the maximum of ${maxBytes} bytes. ` +
        'Store large data elsewhere (S3) and return a reference, or raise maxPayloadBytes.',
    );
  }
}

/** A value cannot be written to the journal (a function, a symbol, a cycle, …). Not retryable. */
export class SerializationError extends DurableError {
  static override readonly code = 'SERIALIZATION';
  constructor(
    readonly what: string,
    readonly path: string,
    reason: string,
    options?: DurableErrorOptions,
  ) {
    super(
      SerializationError.code,
      `${what} cannot be recorded: ${reason} at ${path}. Journal values must be data: JSON plus Date, BigInt, Map, ` +
        'Set, undefined, Uint8Array and Error.',
      options,
    );
  }
}
