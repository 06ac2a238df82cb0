/**
 * Errors in and out of the journal: {@link serializeError} records a thrown
 * value as an Error (its name, message, stack, code, cause and own fields,
 * never failing), {@link describeError} reads one as plain data, and
 * {@link decodeError} makes a recorded error an error again, this package's
 * as instances of their class unless it came from outside (`foreign`). A
 * record over the size limit is cut by error-cut.ts.
 */

import { DURABLE_ERROR_BRAND } from '../errors/base.js';
import type { ReportedError } from '../errors/callbacks.js';
import { errorClassesByCode } from '../errors/registry.js';
import { cutError } from './error-cut.js';
import {
  decode,
  decodeEntries,
  defineOwn,
  type EncodeState,
  encode,
  type Json,
  MAX_DEPTH,
  serialize,
  TAG,
} from './tagged-values.js';

/**
 * Serializes a thrown value as an Error, never failing: fields that cannot be
 * recorded are left out, so a failing step always leaves a readable record.
 * With `maxBytes` (the engine passes `maxPayloadBytes`), a larger error is cut
 * to fit: it keeps its name, `code` and `retryable`, gets an own field
 * `originalSizeBytes`, and its message, stack, other fields and cause are cut
 * or left out. (Below a few hundred bytes not even that fits; then the
 * smallest such record is returned.)
 */
export function serializeError(thrown: unknown, maxBytes?: number): string {
  const state: EncodeState = { what: 'an error', canonical: false, foreignErrors: false, ancestors: new Set() };
  let encoded: Json;
  try {
    encoded = encodeError(toError(thrown), '$', 0, state);
  } catch {
    // A hostile throwable (a proxy, getters that throw): the failure itself must still be recorded.
    encoded = { [TAG]: 'Error', v: { name: 'Error', message: 'a thrown value that could not be read', fields: {} } };
  }
  const text = JSON.stringify(encoded);
  if (maxBytes === undefined) return text;
  const size = Buffer.byteLength(text);
  if (size <= maxBytes) return text;
  return cutError((encoded as { v: Json }).v as EncodedError, size, maxBytes);
}

/**
 * What `thrown` says, as plain data ({@link ReportedError}): for errors from
 * outside (a callback's completer), which must not come back as instances of
 * this package's classes. Never throws.
 */
export function describeError(thrown: unknown): ReportedError {
  const encoded = JSON.parse(serializeError(thrown)) as { v: EncodedError };
  return describeEncodedError(encoded.v);
}

/** The value as an Error: non-Error throwables (a string, an object) are wrapped with their text. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let text: string | undefined;
  try {
    text = typeof thrown === 'string' ? thrown : JSON.stringify(thrown);
  } catch {
    // a cycle, a BigInt: its String() below
  }
  return Object.assign(new Error(text ?? safeString(thrown)), { thrown: safeValue(thrown) });
}

/** `String(value)`, or what the value is when even that throws. */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return `a thrown ${typeof value}`;
  }
}

function safeValue(value: unknown): unknown {
  try {
    serialize(value, 'a thrown value');
    return value;
  } catch {
    return safeString(value);
  }
}

const ERROR_BASE_FIELDS = new Set(['name', 'message', 'stack', 'cause']);

/**
 * An error as the journal holds it. `stack` is the whole stack (canonical
 * text, records of earlier versions, stacks that do not start with the
 * message); otherwise `stackTrace` is what follows the message and `stackHead`
 * what precedes it, when that is not `${name}: `. `foreign` marks errors from
 * outside, which never come back as this package's classes.
 */
export interface EncodedError {
  name?: Json;
  message?: Json;
  fields?: Json;
  stack?: Json;
  stackHead?: Json;
  stackTrace?: Json;
  cause?: Json;
  foreign?: Json;
}

/** `error` as tagged JSON: fields that cannot be recorded are left out, a cause that cannot is kept as its text. */
export function encodeError(error: Error, path: string, depth: number, state: EncodeState): Json {
  const fields: { [key: string]: Json } = {};
  for (const key of Object.keys(error)) {
    if (ERROR_BASE_FIELDS.has(key)) continue;
    try {
      fields[key] = encode((error as unknown as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, state);
    } catch {
      // A field that cannot be recorded (an SDK response, a socket) is left out: the error itself must survive.
    }
  }
  const encoded: { [key: string]: Json } = {
    name: error.name,
    message: error.message,
    fields,
  };
  const stack = error.stack;
  if (typeof stack === 'string') {
    const split = state.canonical ? undefined : splitStack(stack, error.name, error.message);
    if (split === undefined) {
      encoded.stack = stack;
    } else {
      if (split.head !== `${error.name}: `) encoded.stackHead = split.head;
      encoded.stackTrace = split.trace;
    }
  } else if (stack !== undefined) {
    encoded.stack = stack;
  }
  if (error.cause !== undefined && depth < MAX_DEPTH) {
    try {
      encoded.cause = encode(error.cause, `${path}.cause`, depth + 1, state);
    } catch {
      encoded.cause = safeString(error.cause);
    }
  }
  if (state.foreignErrors) encoded.foreign = true;
  return { [TAG]: 'Error', v: encoded };
}

/**
 * The stack around its message: V8 starts it with `${name}: ${message}` (the
 * name the error had when it was made, so maybe another than its name now).
 * Undefined when the stack does not start so (an empty or changed message).
 */
function splitStack(stack: string, name: unknown, message: unknown): { head: string; trace: string } | undefined {
  if (typeof message !== 'string' || message === '') return undefined;
  const firstColon = stack.indexOf(': ');
  const heads = [`${String(name)}: `];
  if (firstColon >= 0 && firstColon < 1_000) heads.push(stack.slice(0, firstColon + 2));
  for (const head of heads) {
    if (!head.includes('\n') && stack.startsWith(head) && stack.startsWith(message, head.length)) {
      return { head, trace: stack.slice(head.length + message.length) };
    }
  }
  return undefined;
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** The recorded stack, rebuilt around the message when it was recorded without it. */
function decodedStack(encoded: EncodedError, name: string, message: string): string {
  if (typeof encoded.stack === 'string') return encoded.stack;
  if (typeof encoded.stackTrace === 'string') {
    return `${typeof encoded.stackHead === 'string' ? encoded.stackHead : `${name}: `}${message}${encoded.stackTrace}`;
  }
  return `${name}: ${message}`;
}

/** A recorded error, made an error again: this package's as an instance of its class, others as a built-in error. */
export function decodeError(encoded: EncodedError): Error {
  // The fields are the error's own properties, never a tagged value, even when one of them is named `$t`.
  const fields = decodeEntries((encoded.fields ?? {}) as { [key: string]: Json }, 'revive');
  const name = String(encoded.name ?? 'Error');
  const message = String(encoded.message ?? '');
  // An error from outside (a callback's result) never becomes one of this package's classes.
  const durableClass =
    typeof fields.code === 'string' && encoded.foreign !== true ? errorClassesByCode.get(fields.code) : undefined;
  const isDurable = durableClass !== undefined && durableClass.name === name;
  // Rebuild this package's errors as instances of their class (without running
  // their constructors, whose messages are already recorded); others as the
  // built-in class of that name, or Error, with the recorded name.
  const prototype = isDurable ? durableClass.prototype : (BUILTIN_ERRORS[name] ?? Error).prototype;
  // A genuine Error object (what util.types.isNativeError, Error.isError and deep-equality checks look for),
  // given the recorded class's prototype.
  const error = Object.setPrototypeOf(new Error(), prototype) as Error;
  Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', {
    value: decodedStack(encoded, name, message),
    writable: true,
    configurable: true,
  });
  if (encoded.cause !== undefined) {
    Object.defineProperty(error, 'cause', {
      value: decode(encoded.cause, 'revive'),
      writable: true,
      configurable: true,
    });
  }
  if (isDurable) Object.defineProperty(error, DURABLE_ERROR_BRAND, { value: true, enumerable: false });
  for (const [key, value] of Object.entries(fields)) defineOwn(error, key, value);
  return error;
}

/** A recorded error as plain data: what it said, with nothing in it an instance of an error class. */
export function describeEncodedError(encoded: EncodedError): ReportedError {
  const { code, ...fields } = decodeEntries((encoded.fields ?? {}) as { [key: string]: Json }, 'describe');
  const reported: ReportedError = {
    name: String(encoded.name ?? 'Error'),
    message: String(encoded.message ?? ''),
    fields,
  };
  if (typeof code === 'string' || typeof code === 'number') reported.code = code;
  else if (code !== undefined) reported.fields = { code, ...fields };
  if (encoded.cause !== undefined) reported.cause = decode(encoded.cause, 'describe');
  return reported;
}
