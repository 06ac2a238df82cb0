/**
 * Values in and out of the journal. The format is JSON in which the values
 * JSON cannot hold are tagged objects `{ "$t": tag, "v": payload }`: Date,
 * BigInt, Map, Set, undefined, non-finite numbers and -0, Uint8Array (and
 * Buffer, other typed arrays), Error (name, message, stack, code, cause, own
 * fields). A plain object that itself has a `$t` key is wrapped, so no user
 * value is mistaken for a tag. Class instances are recorded as their own
 * enumerable fields (or their `toJSON()`), and come back as plain objects.
 *
 * An error's stack is recorded without the `name: message` line it starts
 * with (rebuilt when read), so a long message is not stored twice. Canonical
 * text (for argument hashes) keeps the format the hashes of recorded journals
 * were computed with.
 */

// The module the rest of the package imports. Values are encoded in tagged-values.ts, errors in error-record.ts
// (cut to size in error-cut.ts), and the size limit lives in limits.ts.
export { describeError, serializeError, toError } from './error-record.js';
export { DEFAULT_MAX_PAYLOAD_BYTES, serializeBounded } from './limits.js';
export { deserialize, type SerializeOptions, serialize } from './tagged-values.js';
