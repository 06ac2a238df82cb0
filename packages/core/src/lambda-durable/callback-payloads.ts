import type { ErrorObject } from '@aws/durable-execution-sdk-js';
import { PayloadTooLargeError, type ReportedError } from '../errors.js';
import { describeError, serialize } from '../serde/serialize.js';
import { decode, defineOwn, type Json } from '../serde/tagged-values.js';
import { carriedEnvelope } from './carried-errors.js';
import { encodeError, MAX_CALLBACK_RESULT_BYTES } from './payloads.js';

/**
 * What a callback's completer sends, both ways. The service hands a callback's result to the workflow as the
 * text the completer sent (`SendDurableExecutionCallbackSuccess`'s `Result`): this package's tagged JSON, or
 * plain JSON (a subset of it), read back as a value; text that is not JSON arrives as that string. A failure
 * (`SendDurableExecutionCallbackFailure`) arrives as `CallbackFailedError`, whose `reported` says what the
 * completer reported. Errors from a completer never come back as this package's own classes.
 */

/**
 * The `Result` to send with `SendDurableExecutionCallbackSuccess` so that `ctx.waitForCallback` resolves with
 * `value` (Date, BigInt, Map, Set, … intact). Over 256 KB it is refused with a {@link PayloadTooLargeError}
 * before anything is sent.
 */
export function encodeCallbackResult(value: unknown, callbackName = 'a callback'): string {
  const what = `the result of ${callbackName}`;
  const text = serialize(value, what, { foreignErrors: true });
  const size = Buffer.byteLength(text);
  if (size > MAX_CALLBACK_RESULT_BYTES) throw new PayloadTooLargeError(what, size, MAX_CALLBACK_RESULT_BYTES);
  return text;
}

/**
 * The `Error` to send with `SendDurableExecutionCallbackFailure`: the workflow's `CallbackFailedError` then reports
 * `error`'s name, message, code and own fields, which the service alone would not keep (it keeps the message).
 */
export function encodeCallbackError(error: unknown): ErrorObject {
  const reported = describeError(error);
  return { ErrorType: reported.name, ErrorMessage: reported.message, ErrorData: encodeError(error) };
}

/** The value a callback's result text stands for (see above). */
export function decodeCallbackResult(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    return text;
  }
  return decode(markForeign(json), 'revive');
}

/** What the completer of a failed callback reported: what {@link encodeCallbackError} sent, or the service's fields. */
export function reportedFailure(error: unknown): ReportedError {
  const envelope = carriedEnvelope(error);
  if (envelope?.error !== undefined) {
    const described = decode(envelope.error, 'describe');
    if (isReported(described)) return described;
  }
  const { message, errorData } = error as { message?: unknown; errorData?: unknown };
  return {
    name: 'Error',
    message: typeof message === 'string' ? message : '',
    fields: typeof errorData === 'string' ? { errorData } : {},
  };
}

function isReported(value: unknown): value is ReportedError {
  const fields = value as Partial<ReportedError> | null;
  return typeof fields?.name === 'string' && typeof fields.message === 'string' && typeof fields.fields === 'object';
}

/** `json` with every error in it marked as coming from outside (serde/: never revived as this package's). */
function markForeign(json: Json): Json {
  if (Array.isArray(json)) return json.map(markForeign);
  if (json === null || typeof json !== 'object') return json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(json)) defineOwn(out, key, markForeign(value));
  const payload = out.v;
  if (out.$t === 'Error' && typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    defineOwn(payload, 'foreign', true);
  }
  return out;
}
