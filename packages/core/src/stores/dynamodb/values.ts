import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PayloadTooLargeError } from '../../errors.js';
import { chunkPrefix, chunkSortKey } from './keys.js';

/**
 * Journal values (serialized inputs, results, errors) in DynamoDB items,
 * whose size stops at 400 KB. A value is kept
 * - as a string attribute `F` when small;
 * - gzip-compressed in a binary attribute `FZ` when that saves space and fits
 *   what is left of the budget the writer gave it;
 * - else compressed and cut into chunk items (`chunk#…` sort keys in the same
 *   partition, written before the record that points to them through `FC`),
 *   so the journal's single query still reads everything back.
 */

type Item = Record<string, AttributeValue>;

/** Values above this many bytes are compressed. */
const COMPRESS_ABOVE_BYTES = 4 * 1024;
/** Inline bytes one item may spend on values (the rest of 400 KB is keys and small fields). */
export const ITEM_VALUE_BUDGET_BYTES = 350 * 1024;
/**
 * The share of `#meta`'s budget the workflow input may keep inline. The input
 * is written by the claim and the output (or error) by the finish, which
 * cannot read the item first: each keeps to its own half, so the two together
 * never pass 400 KB, whatever the other one did.
 */
export const META_INPUT_BUDGET_BYTES = ITEM_VALUE_BUDGET_BYTES / 2;
/** The share of `#meta`'s budget the output or error may keep inline: the other half. */
export const META_OUTCOME_BUDGET_BYTES = ITEM_VALUE_BUDGET_BYTES - META_INPUT_BUDGET_BYTES;
/** Size of one chunk item's data. */
const CHUNK_BYTES = 350 * 1024;

/** A chunk item to write before the record that refers to it. */
export type ChunkItem = Item;

/** Where an encoder puts the values of one item, and how much of it they may take. */
export interface ValueEncoderOptions {
  pk: string;
  /** Which record the chunks belong to: `meta` or `op#<position>`. */
  owner: string;
  /** Largest value accepted, in bytes serialized; above it, PayloadTooLargeError. */
  maxValueBytes: number;
  /** Inline bytes the values encoded by this encoder may take together; the rest goes to chunks. */
  budgetBytes: number;
  /** DynamoDB TTL of the chunks (epoch seconds): the same as the record's, or none. */
  ttlSeconds: number | undefined;
}

/** Encodes values into attributes of one item; chunks go to `chunks`. */
export class ValueEncoder {
  readonly chunks: ChunkItem[] = [];
  #budget: number;

  constructor(private readonly options: ValueEncoderOptions) {
    this.#budget = options.budgetBytes;
  }

  /** The attributes holding `text` under the field name `field`; `what` names it in PayloadTooLargeError. */
  encode(field: string, text: string, what: string): Item {
    const size = Buffer.byteLength(text);
    if (size > this.options.maxValueBytes) throw new PayloadTooLargeError(what, size, this.options.maxValueBytes);
    if (size <= COMPRESS_ABOVE_BYTES && size <= this.#budget) {
      this.#budget -= size;
      return { [field]: { S: text } };
    }
    const compressed = gzipSync(text);
    if (compressed.length <= this.#budget) {
      this.#budget -= compressed.length;
      return { [`${field}Z`]: { B: compressed } };
    }
    const writeId = randomUUID();
    const prefix = chunkPrefix(this.options.owner, field, writeId);
    const count = Math.ceil(compressed.length / CHUNK_BYTES);
    for (let index = 0; index < count; index++) {
      this.chunks.push({
        pk: { S: this.options.pk },
        sk: { S: chunkSortKey(prefix, index) },
        data: { B: compressed.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) },
        ...(this.options.ttlSeconds === undefined ? {} : { expiresAt: { N: String(this.options.ttlSeconds) } }),
      });
    }
    return { [`${field}C`]: { M: { w: { S: writeId }, n: { N: String(count) } } } };
  }
}

/** A value whose chunks must be read before it can be decoded. */
export interface ChunkRef {
  prefix: string;
  count: number;
}

/** The chunk reference of `field` in `item`, if the value is chunked. */
export function chunkRef(item: Item, owner: string, field: string): ChunkRef | undefined {
  const ref = item[`${field}C`]?.M;
  if (ref === undefined) return undefined;
  return { prefix: chunkPrefix(owner, field, ref.w?.S ?? ''), count: Number(ref.n?.N ?? 0) };
}

/** Chunk data by sort key, as read from the partition. */
export type ChunkData = ReadonlyMap<string, Uint8Array>;

/** Decodes `field` of `item`; `undefined` when the item has no such value. */
export function decodeValue(item: Item, owner: string, field: string, chunks: ChunkData): string | undefined {
  const plain = item[field]?.S;
  if (plain !== undefined) return plain;
  const compressed = item[`${field}Z`]?.B;
  if (compressed !== undefined) return gunzipSync(compressed).toString('utf8');
  const ref = chunkRef(item, owner, field);
  if (ref === undefined) return undefined;
  const parts: Uint8Array[] = [];
  for (let index = 0; index < ref.count; index++) {
    const part = chunks.get(chunkSortKey(ref.prefix, index));
    if (part === undefined) {
      throw new Error(`chunk ${index + 1} of ${ref.count} of '${field}' (${ref.prefix}) is missing from the table`);
    }
    parts.push(part);
  }
  return gunzipSync(Buffer.concat(parts)).toString('utf8');
}

/** True when DynamoDB refused a write because the item would pass 400 KB. */
export function isItemTooLarge(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'ValidationException' && typeof message === 'string' && /maximum allowed size/i.test(message);
}
