/**
 * Size limits of values in the journal: {@link DEFAULT_MAX_PAYLOAD_BYTES}, and
 * {@link serializeBounded}, which refuses a value whose text is over the
 * limit with a {@link PayloadTooLargeError} (errors are cut to fit instead:
 * `serializeError` with `maxBytes`).
 */

import { PayloadTooLargeError } from '../errors/values.js';
import { type SerializeOptions, serialize } from './tagged-values.js';

/** The largest serialized value (input, step result, output, callback result) by default: 2 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

/** {@link serialize}, refusing values whose text is over `maxBytes` with a {@link PayloadTooLargeError}. */
export function serializeBounded(
  value: unknown,
  what: string,
  maxBytes: number,
  options: SerializeOptions = {},
): string {
  const text = serialize(value, what, options);
  const size = Buffer.byteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return text;
}
