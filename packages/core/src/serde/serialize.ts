import { DURABLE_ERROR_BRAND } from '../errors/base.js';
import type { ReportedError } from '../errors/callbacks.js';
import { errorClassesByCode } from '../errors/registry.js';
import { PayloadTooLargeError, SerializationError } from '../errors/values.js';

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

const TAG = '$t';
const MAX_DEPTH = 512;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface EncodeState {
  what: string;
  canonical: boolean;
  foreignErrors: boolean;
  ancestors: Set<object>;
}

/** The largest serialized value (input, step result, output, callback result) by default: 2 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 2 * 1024 * 1024;

const TYPED_ARRAYS = {
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** Options of {@link serialize}. */
export interface SerializeOptions {
  /**
   * Text for hashing: equal values give equal text whatever their key order,
   * and JSON-equal ones too (`{ b: undefined }` and `{}`, `0` and `-0`). Every
   * other value gives the text it always gave, so recorded hashes still match.
   */
  canonical?: boolean;
  /**
   * The value comes from outside (a callback's result): errors in it come back
   * as built-in errors (or `Error`) with their recorded name, code and fields,
   * never as instances of this package's classes.
   */
  foreignErrors?: boolean;
}

/**
 * Serializes `value` for the journal. `what` names the value in errors
 * ("the result of step 'charge'"). Throws {@link SerializationError} for
 * functions, symbols, promises, cycles, nesting deeper than 512 levels, and
 * values that throw when read (a getter, `toJSON` or proxy trap).
 */
export function serialize(value: unknown, what: string, options: SerializeOptions = {}): string {
  const state: EncodeState = {
    what,
    canonical: options.canonical ?? false,
    foreignErrors: options.foreignErrors ?? false,
    ancestors: new Set(),
  };
  try {
    return JSON.stringify(encode(value, '$', 0, state));
  } catch (error) {
    if (error instanceof SerializationError) throw error;
    const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new SerializationError(what, '$', `reading it threw ${thrown}`, { cause: error });
  }
}

/** Reads back a value written by {@link serialize}. */
export function deserialize<T = unknown>(text: string): T {
  return decode(JSON.parse(text) as Json, 'revive') as T;
}

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

function safeString(value: unknown): string {
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

function fail(state: EncodeState, path: string, reason: string): never {
  throw new SerializationError(state.what, path, reason);
}

function encode(value: unknown, path: string, depth: number, state: EncodeState): Json {
  if (depth > MAX_DEPTH) fail(state, path, `nesting deeper than ${MAX_DEPTH} levels`);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      // -0 is JSON's 0: canonical text makes them equal, the journal keeps the sign.
      if (Object.is(value, -0)) return state.canonical ? 0 : { [TAG]: 'number', v: '-0' };
      return { [TAG]: 'number', v: String(value) };
    case 'bigint':
      return { [TAG]: 'bigint', v: value.toString() };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'function':
      return fail(state, path, `a function (${value.name || 'anonymous'})`);
    case 'symbol':
      return fail(state, path, `a symbol (${value.toString()})`);
  }
  if (value === null) return null;
  const object = value as object;
  if (state.ancestors.has(object)) fail(state, path, 'a cycle (the value contains itself)');
  state.ancestors.add(object);
  try {
    return encodeObject(object, path, depth, state);
  } finally {
    state.ancestors.delete(object);
  }
}

function encodeObject(value: object, path: string, depth: number, state: EncodeState): Json {
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (let i = 0; i < value.length; i++) items.push(encode(value[i], `${path}[${i}]`, depth + 1, state));
    return items;
  }
  if (value instanceof Date) return { [TAG]: 'Date', v: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof Error) return encodeError(value, path, depth, state);
  if (value instanceof Map) {
    const entries: Json[] = [];
    let i = 0;
    for (const [k, v] of value) {
      entries.push([
        encode(k, `${path}.<key ${i}>`, depth + 1, state),
        encode(v, `${path}.get(${i})`, depth + 1, state),
      ]);
      i++;
    }
    return { [TAG]: 'Map', v: entries };
  }
  if (value instanceof Set) {
    const items: Json[] = [];
    let i = 0;
    for (const item of value) items.push(encode(item, `${path}.<item ${i++}>`, depth + 1, state));
    return { [TAG]: 'Set', v: items };
  }
  if (typeof Buffer !== 'undefined' && Buffer.isBuffer(value)) {
    return { [TAG]: 'Buffer', v: value.toString('base64') };
  }
  if (value instanceof Uint8Array) return { [TAG]: 'Uint8Array', v: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    const kind = value.constructor.name;
    if (!(kind in TYPED_ARRAYS)) fail(state, path, `a ${kind}`);
    return {
      [TAG]: 'TypedArray',
      k: kind,
      v: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
    };
  }
  if (value instanceof ArrayBuffer) return { [TAG]: 'ArrayBuffer', v: Buffer.from(value).toString('base64') };
  if (value instanceof Promise || typeof (value as { then?: unknown }).then === 'function') {
    fail(state, path, 'a Promise (did you forget an await?)');
  }
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    fail(state, path, `a ${value.constructor.name}, which cannot be enumerated`);
  }
  if (value instanceof RegExp) return { [TAG]: 'RegExp', v: value.source, f: value.flags };
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encode((value as { toJSON(): unknown }).toJSON(), path, depth + 1, state);
  }
  return encodePlain(value as Record<string, unknown>, path, depth, state);
}

function encodePlain(value: Record<string, unknown>, path: string, depth: number, state: EncodeState): Json {
  const keys = Object.keys(value);
  if (state.canonical) keys.sort();
  const out: { [key: string]: Json } = {};
  for (const key of keys) {
    // A field holding undefined is JSON's absent field: canonical text makes `{ b: undefined }` equal to `{}`.
    if (state.canonical && value[key] === undefined) continue;
    defineOwn(out, key, encode(value[key], `${path}.${key}`, depth + 1, state));
  }
  return Object.hasOwn(out, TAG) ? { [TAG]: 'Object', v: out } : out;
}

const ERROR_BASE_FIELDS = new Set(['name', 'message', 'stack', 'cause']);

/**
 * An error as the journal holds it. `stack` is the whole stack (canonical
 * text, records of earlier versions, stacks that do not start with the
 * message); otherwise `stackTrace` is what follows the message and `stackHead`
 * what precedes it, when that is not `${name}: `. `foreign` marks errors from
 * outside, which never come back as this package's classes.
 */
interface EncodedError {
  name?: Json;
  message?: Json;
  fields?: Json;
  stack?: Json;
  stackHead?: Json;
  stackTrace?: Json;
  cause?: Json;
  foreign?: Json;
}

function encodeError(error: Error, path: string, depth: number, state: EncodeState): Json {
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

/** Own fields a cut error keeps (with its name): what decides its class and whether it is retried. */
const KEPT_FIELDS = ['code', 'retryable'] as const;
/** Longest name, code or kept field a cut error keeps, in JSON bytes. */
const MAX_KEPT_BYTES = 256;

/** The error of {@link serializeError}, `size` bytes serialized, cut to `maxBytes`. */
function cutError(encoded: EncodedError, size: number, maxBytes: number): string {
  const name = cutToJsonBytes(typeof encoded.name === 'string' ? encoded.name : 'Error', MAX_KEPT_BYTES);
  const fields = isJsonObject(encoded.fields) ? encoded.fields : {};
  const kept: { [key: string]: Json } = {};
  for (const key of KEPT_FIELDS) {
    const value = fields[key];
    if (value !== undefined && value !== null && typeof value !== 'object' && jsonBytes(value) <= MAX_KEPT_BYTES) {
      kept[key] = value;
    }
  }
  kept.originalSizeBytes = size;
  const message = typeof encoded.message === 'string' ? encoded.message : '';
  const isSplit = typeof encoded.stackTrace === 'string';
  const trace = isSplit ? (encoded.stackTrace as string) : typeof encoded.stack === 'string' ? encoded.stack : '';
  const stackHead = isSplit && typeof encoded.stackHead === 'string' ? encoded.stackHead : undefined;
  const build = (cutMessage: string, cutTrace: string, extra: { [key: string]: Json }): string => {
    const v: { [key: string]: Json } = { name, message: cutMessage, fields: { ...kept, ...extra } };
    if (cutTrace !== '') {
      if (stackHead !== undefined && jsonBytes(stackHead) <= MAX_KEPT_BYTES) v.stackHead = stackHead;
      v[isSplit ? 'stackTrace' : 'stack'] = cutTrace;
    }
    return JSON.stringify({ [TAG]: 'Error', v });
  };
  const skeleton = build('', '', {});
  // What the message and the stack may take: the rest, less the stack's key (counted as if the stack were there).
  let budget = maxBytes - (Buffer.byteLength(build('', ' ', {})) - 1);
  const messageCost = jsonBytes(message) - 2;
  const traceCost = jsonBytes(trace) - 2;
  const note = ` … [cut: this error was ${size} bytes serialized, over the limit of ${maxBytes}]`;
  const noteCost = jsonBytes(note) - 2;
  for (let round = 0; round < 3 && budget > 0; round++) {
    let cutMessage = message;
    let cutTrace = trace;
    let extra: { [key: string]: Json } = {};
    if (messageCost + traceCost <= budget) {
      extra = fieldsThatFit(fields, budget - messageCost - traceCost);
    } else {
      // The message first, but a long one leaves half to the stack (where it was thrown).
      const messageBudget = Math.min(messageCost, Math.max(Math.floor(budget / 2), budget - traceCost));
      if (messageBudget < messageCost) {
        cutMessage =
          messageBudget >= noteCost
            ? `${cutToJsonBytes(message, messageBudget - noteCost)}${note}`
            : cutToJsonBytes(message, messageBudget);
      }
      cutTrace = cutToJsonBytes(trace, budget - (jsonBytes(cutMessage) - 2));
    }
    const text = build(cutMessage, cutTrace, extra);
    const over = Buffer.byteLength(text) - maxBytes;
    if (over <= 0) return text;
    budget -= over;
  }
  return skeleton;
}

/** The error's other own fields that fit in `budget` bytes, in their order. The cause is left out. */
function fieldsThatFit(fields: { [key: string]: Json }, budget: number): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  let left = budget;
  for (const [key, value] of Object.entries(fields)) {
    if ((KEPT_FIELDS as readonly string[]).includes(key) || key === 'originalSizeBytes') continue;
    // "key":value, (JSON.stringify of the key brings the quotes)
    const cost = jsonBytes(key) + jsonBytes(value) + 2;
    if (cost > left) continue;
    defineOwn(out, key, value);
    left -= cost;
  }
  return out;
}

function isJsonObject(json: Json | undefined): json is { [key: string]: Json } {
  return typeof json === 'object' && json !== null && !Array.isArray(json);
}

function jsonBytes(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * The longest start of `text` whose JSON string body (what JSON.stringify
 * writes between the quotes) is at most `budget` UTF-8 bytes, without
 * splitting a surrogate pair.
 */
function cutToJsonBytes(text: string, budget: number): string {
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let cost: number;
    let units = 1;
    if (c === 0x22 || c === 0x5c) cost = 2;
    else if (c < 0x20) cost = c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
    else if (c < 0x80) cost = 1;
    else if (c < 0x800) cost = 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        cost = 4;
        units = 2;
      } else {
        cost = 6; // a lone surrogate, written as \udXXX
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) cost = 6;
    else cost = 3;
    if (used + cost > budget) break;
    used += cost;
    i += units;
  }
  return i === text.length ? text : text.slice(0, i);
}

/**
 * How errors are read: `revive` makes them errors again (this package's as
 * instances of their class); `describe` makes them {@link ReportedError}s,
 * plain data, for errors from outside.
 */
type ErrorReading = 'revive' | 'describe';

function decode(json: Json, errors: ErrorReading): unknown {
  if (Array.isArray(json)) return json.map((item) => decode(item, errors));
  if (json === null || typeof json !== 'object') return json;
  const tag = json[TAG];
  if (typeof tag !== 'string') return decodeEntries(json, errors);
  const payload = json.v;
  switch (tag) {
    case 'undefined':
      return undefined;
    case 'number':
      return payload === '-0' ? -0 : Number(payload);
    case 'bigint':
      return BigInt(payload as string);
    case 'Date':
      return new Date(payload === null ? Number.NaN : (payload as string));
    case 'Map':
      return new Map((payload as Json[][]).map(([k, v]) => [decode(k as Json, errors), decode(v as Json, errors)]));
    case 'Set':
      return new Set((payload as Json[]).map((item) => decode(item, errors)));
    case 'Buffer':
      return Buffer.from(payload as string, 'base64');
    case 'Uint8Array':
      return new Uint8Array(Buffer.from(payload as string, 'base64'));
    case 'TypedArray': {
      const bytes = Buffer.from(payload as string, 'base64');
      const copy = new Uint8Array(bytes).buffer;
      const Ctor = TYPED_ARRAYS[json.k as TypedArrayName];
      return new Ctor(copy);
    }
    case 'ArrayBuffer':
      return new Uint8Array(Buffer.from(payload as string, 'base64')).buffer;
    case 'RegExp':
      return new RegExp(payload as string, json.f as string);
    case 'Error':
      return errors === 'revive' ? decodeError(payload as EncodedError) : describeEncodedError(payload as EncodedError);
    case 'Object':
      return decodeEntries(payload as { [key: string]: Json }, errors);
    default:
      throw new SyntaxError(`Unknown journal value tag '${tag}'`);
  }
}

/** A plain object of the decoded entries of `json`. */
function decodeEntries(json: { [key: string]: Json }, errors: ErrorReading): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) defineOwn(out, k, decode(v, errors));
  return out;
}

/** Sets an own data property: unlike `target[key] = value`, a `__proto__` key stays data, not the prototype. */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
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

function decodeError(encoded: EncodedError): Error {
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
function describeEncodedError(encoded: EncodedError): ReportedError {
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
