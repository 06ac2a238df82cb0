/**
 * The size-bounded cut of `serializeError`: an error record over the
 * limit keeps its name, `code` and `retryable`, gains `originalSizeBytes`,
 * and has its message and stack cut (with a note saying so) and its other
 * fields and cause left out, until the text fits. The byte counting is that
 * of the text JSON writes, escapes and multi-byte characters included.
 */

import type { EncodedError } from './error-record.js';
import { defineOwn, type Json, TAG } from './tagged-values.js';

/** Own fields a cut error keeps (with its name): what decides its class and whether it is retried. */
const KEPT_FIELDS = ['code', 'retryable'] as const;
/** Longest name, code or kept field a cut error keeps, in JSON bytes. */
const MAX_KEPT_BYTES = 256;

/** The error of {@link serializeError}, `size` bytes serialized, cut to `maxBytes`. */
export function cutError(encoded: EncodedError, size: number, maxBytes: number): string {
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
