/**
 * Values as tagged JSON, both ways: {@link serialize} and {@link deserialize}.
 * JSON itself holds strings, booleans, finite numbers, null, arrays and plain
 * objects; Date, BigInt, Map, Set, undefined, non-finite numbers and -0,
 * Uint8Array (and Buffer, other typed arrays, ArrayBuffer) and RegExp become
 * tagged objects, and errors are handed to error-record.ts (an error's fields
 * and cause are values again, so the two call each other). The canonical form
 * used for argument hashes is an option of the same walk
 * ({@link SerializeOptions.canonical}): sorted keys, no undefined fields, -0
 * as 0.
 */

import { SerializationError } from '../errors/values.js';
import { decodeError, describeEncodedError, type EncodedError, encodeError } from './error-record.js';

/** The key that marks a tagged object `{ "$t": tag, "v": payload }`: a value JSON cannot hold. */
export const TAG = '$t';
/** The deepest nesting a value may have. */
export const MAX_DEPTH = 512;

/** A value as JSON holds it: what `JSON.stringify` writes and `JSON.parse` reads. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What one {@link serialize} (or `serializeError`) call carries down the value it encodes. */
export interface EncodeState {
  what: string;
  canonical: boolean;
  foreignErrors: boolean;
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

function fail(state: EncodeState, path: string, reason: string): never {
  throw new SerializationError(state.what, path, reason);
}

/** `value` as tagged JSON; `path` names where it is in the value being serialized (`$.items[2]`). */
export function encode(value: unknown, path: string, depth: number, state: EncodeState): Json {
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

/**
 * How errors are read: `revive` makes them errors again (this package's as
 * instances of their class); `describe` makes them {@link ReportedError}s,
 * plain data, for errors from outside.
 */
export type ErrorReading = 'revive' | 'describe';

/** The value tagged JSON holds: what {@link encode} was given, read back. */
export function decode(json: Json, errors: ErrorReading): unknown {
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
export function decodeEntries(json: { [key: string]: Json }, errors: ErrorReading): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) defineOwn(out, k, decode(v, errors));
  return out;
}

/** Sets an own data property: unlike `target[key] = value`, a `__proto__` key stays data, not the prototype. */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
