import type { Serdes } from '@aws/durable-execution-sdk-js';
import { PayloadTooLargeError } from '../errors.js';
import type { OperationKind } from '../journal/records.js';
import { serialize, serializeError } from '../serde/serialize.js';
import { decode, type Json } from '../serde/tagged-values.js';

/**
 * What this adapter records in the SDK's operations: this package's tagged JSON (serde/), so Date, BigInt, Map,
 * Set, undefined, Uint8Array and errors with their class and own fields survive a replay, wrapped in an envelope
 * that also carries what the replay check compares and the SDK does not record (the hash of a step's
 * arguments). A step's result is `{"$durable":1,"argsHash":…,"args":…,"value":<tagged>}`; the error a step,
 * branch or workflow failed with travels in the SDK's `ErrorData` as `{"$durable":1,…,"error":<tagged error>}`.
 */

/** The service's limit on one operation's payload (a step's result, an invoke's input, an execution's output). */
export const MAX_OPERATION_PAYLOAD_BYTES = 1024 * 1024;

/** The limit this adapter keeps for a callback's result (what a completer sends). */
export const MAX_CALLBACK_RESULT_BYTES = 256 * 1024;

/** Room kept for the error's type and message next to its `ErrorData`: the service allows 1 MB for all three. */
const ERROR_FIELDS_MARGIN_BYTES = 32 * 1024;

/** The largest `ErrorData` this adapter writes; an error over it is cut to fit (serde/error-cut.ts). */
export const MAX_ERROR_DATA_BYTES = MAX_OPERATION_PAYLOAD_BYTES - ERROR_FIELDS_MARGIN_BYTES;

/** Marks an envelope of this adapter, and its format. */
const FORMAT = 1;

/** What an operation recorded besides its value: the replay identity of its call. */
export interface Identity {
  /** Set when it is not `step` (`now`, `random`, `uuid` are steps of the SDK too). */
  kind?: OperationKind;
  argsHash?: string;
  /** The arguments' short readable form, for the message of a `NonDeterminismError`. */
  args?: string;
}

/** An envelope as read back from the SDK's record. */
export interface Envelope extends Identity {
  value?: Json;
  error?: Json;
}

/** The envelope of a value: its text, refused with {@link PayloadTooLargeError} when over `maxBytes`. */
export function encodeValue(value: unknown, identity: Identity, what: string, maxBytes: number): string {
  const text = withEnvelope(identity, 'value', serialize(value, what));
  const size = Buffer.byteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return text;
}

/** The envelope of an error, for `ErrorData`: never fails, cut to fit {@link MAX_ERROR_DATA_BYTES}. */
export function encodeError(error: unknown, identity: Identity = {}): string {
  return withEnvelope(identity, 'error', serializeError(error, MAX_ERROR_DATA_BYTES));
}

function withEnvelope(identity: Identity, field: 'value' | 'error', tagged: string): string {
  const head = JSON.stringify({ $durable: FORMAT, ...identity });
  // The tagged text goes in as it is: parsing it only to stringify it again would double the cost of every step.
  return `${head.slice(0, -1)},"${field}":${tagged}}`;
}

/** The envelope `text` holds, or undefined when it is not one of this adapter's. */
export function readEnvelope(text: string | undefined): Envelope | undefined {
  if (text === undefined || !text.startsWith('{"$durable":')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const envelope = parsed as Envelope & { $durable?: unknown };
  return envelope.$durable === FORMAT ? envelope : undefined;
}

/** The value an envelope holds. */
export function envelopeValue(envelope: Envelope): unknown {
  return envelope.value === undefined ? undefined : decode(envelope.value, 'revive');
}

/** The error an envelope holds, an instance of its class again (this package's errors) or a built-in error. */
export function envelopeError(envelope: Envelope): unknown {
  return decode(envelope.error ?? null, 'revive');
}

/**
 * Hands this adapter's text to the SDK and back untouched: the SDK's default serdes would JSON-encode it a second
 * time, and could not hold the values above anyway.
 */
export const passThrough: Serdes<string> = {
  serialize: async (value) => value,
  deserialize: async (data) => data,
};

/** Tagged JSON as a JSON value (what the SDK stringifies as an execution's output, or sends as an invoke's input). */
export function taggedJson(value: unknown, what: string, maxBytes: number): Json {
  const text = serialize(value, what);
  const size = Buffer.byteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return JSON.parse(text) as Json;
}

/** A JSON value of tagged JSON, read back (plain JSON reads as itself). */
export function fromTaggedJson(json: unknown): unknown {
  return decode(json as Json, 'revive');
}
