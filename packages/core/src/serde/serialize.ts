import { errorClassesByCode, PayloadTooLargeError, SerializationError } from '../errors.js';

/**
 * Values in and out of the journal. The format is JSON in which the values
 * JSON cannot hold are tagged objects `{ "$t": tag, "v": payload }`: Date,
 * BigInt, Map, Set, undefined, non-finite numbers and -0, Uint8Array (and
 * Buffer, other typed arrays), Error (name, message, stack, code, cause, own
 * fields). A plain object that itself has a `$t` key is wrapped, so no user
 * value is mistaken for a tag. Class instances are recorded as their own
 * enumerable fields (or their `toJSON()`), and come back as plain objects.
 */

const TAG = '$t';
const MAX_DEPTH = 512;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface EncodeState {
  what: string;
  canonical: boolean;
  ancestors: Set<object>;
}

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
  /** Sort object keys, so equal values give equal text whatever their key order (for hashing). */
  canonical?: boolean;
}

/**
 * Serializes `value` for the journal. `what` names the value in errors
 * ("the result of step 'charge'"). Throws {@link SerializationError} for
 * functions, symbols, promises, cycles, nesting deeper than 512 levels, and
 * values that throw when read (a getter, `toJSON` or proxy trap).
 */
export function serialize(value: unknown, what: string, options: SerializeOptions = {}): string {
  const state: EncodeState = { what, canonical: options.canonical ?? false, ancestors: new Set() };
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
  return decode(JSON.parse(text) as Json) as T;
}

/**
 * Serializes a thrown value as an Error, never failing: fields that cannot be
 * recorded are left out, so a failing step always leaves a readable record.
 */
export function serializeError(thrown: unknown): string {
  const state: EncodeState = { what: 'an error', canonical: false, ancestors: new Set() };
  return JSON.stringify(encodeError(toError(thrown), '$', 0, state));
}

/** The value as an Error: non-Error throwables (a string, an object) are wrapped with their text. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  let text: string;
  try {
    text = typeof thrown === 'string' ? thrown : JSON.stringify(thrown);
  } catch {
    text = String(thrown);
  }
  return Object.assign(new Error(text ?? String(thrown)), { thrown: safeValue(thrown) });
}

function safeValue(value: unknown): unknown {
  try {
    serialize(value, 'a thrown value');
    return value;
  } catch {
    return String(value);
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
      return { [TAG]: 'number', v: Object.is(value, -0) ? '-0' : String(value) };
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
    defineOwn(out, key, encode(value[key], `${path}.${key}`, depth + 1, state));
  }
  return Object.hasOwn(out, TAG) ? { [TAG]: 'Object', v: out } : out;
}

const ERROR_BASE_FIELDS = new Set(['name', 'message', 'stack', 'cause']);

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
  if (error.stack !== undefined) encoded.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_DEPTH) {
    try {
      encoded.cause = encode(error.cause, `${path}.cause`, depth + 1, state);
    } catch {
      encoded.cause = String(error.cause);
    }
  }
  return { [TAG]: 'Error', v: encoded };
}

function decode(json: Json): unknown {
  if (Array.isArray(json)) return json.map(decode);
  if (json === null || typeof json !== 'object') return json;
  const tag = json[TAG];
  if (typeof tag !== 'string') return decodeEntries(json);
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
      return new Map((payload as Json[][]).map(([k, v]) => [decode(k as Json), decode(v as Json)]));
    case 'Set':
      return new Set((payload as Json[]).map(decode));
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
      return decodeError(payload as { [key: string]: Json });
    case 'Object':
      return decodeEntries(payload as { [key: string]: Json });
    default:
      throw new SyntaxError(`Unknown journal value tag '${tag}'`);
  }
}

/** A plain object of the decoded entries of `json`. */
function decodeEntries(json: { [key: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) defineOwn(out, k, decode(v));
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

function decodeError(encoded: { [key: string]: Json }): Error {
  // The fields are the error's own properties, never a tagged value, even when one of them is named `$t`.
  const fields = decodeEntries((encoded.fields ?? {}) as { [key: string]: Json });
  const name = String(encoded.name ?? 'Error');
  const durableClass = typeof fields.code === 'string' ? errorClassesByCode.get(fields.code) : undefined;
  // Rebuild this package's errors as instances of their class (without running
  // their constructors, whose messages are already recorded); others as the
  // built-in class of that name, or Error, with the recorded name.
  const prototype =
    durableClass !== undefined && durableClass.name === name
      ? durableClass.prototype
      : (BUILTIN_ERRORS[name] ?? Error).prototype;
  // A genuine Error object (what util.types.isNativeError, Error.isError and deep-equality checks look for),
  // given the recorded class's prototype.
  const error = Object.setPrototypeOf(new Error(), prototype) as Error;
  Object.defineProperty(error, 'message', { value: String(encoded.message ?? ''), writable: true, configurable: true });
  Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', {
    value: typeof encoded.stack === 'string' ? encoded.stack : `${name}: ${encoded.message}`,
    writable: true,
    configurable: true,
  });
  if (encoded.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: decode(encoded.cause), writable: true, configurable: true });
  }
  if (durableClass !== undefined && durableClass.name === name) {
    Object.defineProperty(error, Symbol.for('@durable/core.DurableError'), { value: true, enumerable: false });
  }
  Object.assign(error, fields);
  return error;
}

/** {@link serialize}, refusing values whose text is over `maxBytes` with a {@link PayloadTooLargeError}. */
export function serializeBounded(value: unknown, what: string, maxBytes: number): string {
  const text = serialize(value, what);
  const size = Buffer.byteLength(text);
  if (size > maxBytes) throw new PayloadTooLargeError(what, size, maxBytes);
  return text;
}
