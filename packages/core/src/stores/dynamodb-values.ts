import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PayloadTooLargeError } from '../errors.js';

/**
 * Journal values (serialized inputs, results, errors) in DynamoDB items,
 * whose size stops at 400 KB. A value is kept
 * - as a string attribute `F` when small;
 * - gzip-compressed in a binary attribute `FZ` when that saves space and fits
 *   the item's budget;
 * - else compressed and cut into chunk items (`chunk#…` sort keys in the same
 *   partition, written before the record that points to them through `FC`),
 *   so the journal's single query still reads everything back.
 * Chunk keys carry a unique write id: a racing writer that loses never
 * overwrites the chunks of the record that won.
 */

type Item = Record<string, AttributeValue>;

/** Values above this many bytes are compressed. */
const COMPRESS_ABOVE_BYTES = 4 * 1024;
/** Inline bytes one item may spend on values (the rest of 400 KB is keys and small fields). */
export const ITEM_VALUE_BUDGET_BYTES = 350 * 1024;
/** Size of one chunk item's data. */
const CHUNK_BYTES = 350 * 1024;

/** A chunk item to write before the record that refers to it. */
export type ChunkItem = Item;

/** Encodes values into attributes of one item; chunks go to `chunks`. */
export class ValueEncoder {
  readonly chunks: ChunkItem[] = [];
  #budget = ITEM_VALUE_BUDGET_BYTES;

  constructor(
    private readonly pk: string,
    /** Which record the chunks belong to: `meta` or `op#<position>`. */
    private readonly owner: string,
    private readonly maxValueBytes: number,
    private readonly expiresAt: number,
  ) {}

  /** The attributes holding `text` under the field name `field`. */
  encode(field: string, text: string, what: string): Item {
    const size = Buffer.byteLength(text);
    if (size > this.maxValueBytes) throw new PayloadTooLargeError(what, size, this.maxValueBytes);
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
    const count = Math.ceil(compressed.length / CHUNK_BYTES);
    for (let index = 0; index < count; index++) {
      this.chunks.push({
        pk: { S: this.pk },
        sk: { S: chunkKey(this.owner, field, writeId, index) },
        data: { B: compressed.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES) },
        expiresAt: { N: String(this.expiresAt) },
      });
    }
    return { [`${field}C`]: { M: { w: { S: writeId }, n: { N: String(count) } } } };
  }
}

/** The sort key of chunk `index` of a value. Zero-padded so chunks sort in order. */
function chunkKey(owner: string, field: string, writeId: string, index: number): string {
  return `${chunkPrefix(owner, field, writeId)}${String(index).padStart(5, '0')}`;
}

export function chunkPrefix(owner: string, field: string, writeId: string): string {
  return `chunk#${owner}#${field}#${writeId}#`;
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
    const part = chunks.get(`${ref.prefix}${String(index).padStart(5, '0')}`);
    if (part === undefined) {
      throw new Error(`chunk ${index + 1} of ${ref.count} of '${field}' (${ref.prefix}) is missing from the table`);
    }
    parts.push(part);
  }
  return gunzipSync(Buffer.concat(parts)).toString('utf8');
}
