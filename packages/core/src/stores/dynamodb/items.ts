import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  ExecutionKey,
  ExecutionRecord,
  ExecutionStatus,
  OperationKind,
  OperationRecord,
  OperationStatus,
} from '../../journal/records.js';
import { isChunkSortKey, META_CHUNK_OWNER, META_SORT_KEY, operationSortKey, partitionKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';
import { type ChunkData, decodeValue, type ValueEncoder } from './values.js';

/**
 * Records as DynamoDB items and back. Every field of a record has an
 * attribute of the same name, except values (see values.ts) and `expiresAt`:
 * the record's epoch milliseconds are kept exactly in `expiresAtMs`, and the
 * TTL attribute `expiresAt` holds the same instant in epoch seconds, rounded
 * up, for DynamoDB to delete the item by. Items written by older versions of
 * this package (no `epoch`, no `expiresAtMs`) read as records with `epoch: 0`
 * and no `expiresAt`.
 */

/** An item as the DynamoDB client sends and returns it. */
export type Item = Record<string, AttributeValue>;

const EXPIRES_AT_MS = 'expiresAtMs';

/** A DynamoDB TTL (epoch seconds) for epoch ms, rounded up: an item never goes before its time. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

/** The attributes that make an item expire at `expiresAtMs` (none when undefined). */
export function expiryAttributes(expiresAtMs: number | undefined): Item {
  if (expiresAtMs === undefined) return {};
  return {
    [TTL_ATTRIBUTE]: { N: String(ttlSeconds(expiresAtMs)) },
    [EXPIRES_AT_MS]: { N: String(expiresAtMs) },
  };
}

/** The item of an operation record. Its values are encoded by `encoder`, which collects their chunks. */
export function operationItem(key: ExecutionKey, record: OperationRecord, encoder: ValueEncoder): Item {
  const item: Item = {
    pk: { S: partitionKey(key) },
    sk: { S: operationSortKey(record.position) },
    position: { S: record.position },
    kind: { S: record.kind },
    name: { S: record.name },
    argsHash: { S: record.argsHash },
    status: { S: record.status },
    attempt: { N: String(record.attempt) },
    updatedAt: { N: String(record.updatedAt) },
    epoch: { N: String(record.epoch) },
    ...expiryAttributes(record.expiresAt),
  };
  for (const field of ['wakeAt', 'retryAt', 'timeoutAt'] as const) {
    const value = record[field];
    if (value !== undefined) item[field] = { N: String(value) };
  }
  for (const field of ['owner', 'semantics', 'args'] as const) {
    const value = record[field];
    if (value !== undefined) item[field] = { S: value };
  }
  if (record.follows !== undefined) {
    item.follows = { M: { position: { S: record.follows.position }, epoch: { N: String(record.follows.epoch) } } };
  }
  if (record.result !== undefined) {
    Object.assign(item, encoder.encode('result', record.result, `the result at ${record.position}`));
  }
  if (record.error !== undefined) {
    Object.assign(item, encoder.encode('error', record.error, `the error at ${record.position}`));
  }
  return item;
}

/** The operation record of an `op#…` item; `chunks` holds its chunked values' data. */
export function toOperationRecord(item: Item, chunks: ChunkData): OperationRecord {
  const owner = item.sk?.S ?? '';
  const record: OperationRecord = {
    position: item.position?.S ?? '',
    kind: item.kind?.S as OperationKind,
    name: item.name?.S ?? '',
    argsHash: item.argsHash?.S ?? '',
    status: item.status?.S as OperationStatus,
    attempt: num(item, 'attempt') ?? 1,
    updatedAt: num(item, 'updatedAt') ?? 0,
    // Records of older versions carry no epoch: they read as written before the first epoch.
    epoch: num(item, 'epoch') ?? 0,
  };
  const result = decodeValue(item, owner, 'result', chunks);
  const error = decodeValue(item, owner, 'error', chunks);
  if (result !== undefined) record.result = result;
  if (error !== undefined) record.error = error;
  for (const field of ['wakeAt', 'retryAt', 'timeoutAt'] as const) {
    const value = num(item, field);
    if (value !== undefined) record[field] = value;
  }
  const writer = item.owner?.S;
  if (writer !== undefined) record.owner = writer;
  if (item.semantics?.S !== undefined) record.semantics = item.semantics.S as 'at-most-once';
  if (item.args?.S !== undefined) record.args = item.args.S;
  const follows = item.follows?.M;
  if (follows !== undefined) {
    record.follows = { position: follows.position?.S ?? '', epoch: Number(follows.epoch?.N ?? 0) };
  }
  const expiresAt = num(item, EXPIRES_AT_MS);
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  return record;
}

/**
 * The execution record of a `#meta` item; `chunks` holds its chunked values'
 * data. `knownInput` stands in for the input when the caller has it already
 * (the claim that created the execution), so its chunks need no reading.
 */
export function toExecutionRecord(item: Item, chunks: ChunkData, knownInput?: string): ExecutionRecord {
  const record: ExecutionRecord = {
    service: item.service?.S ?? '',
    executionId: item.executionId?.S ?? '',
    workflow: item.workflow?.S ?? '',
    status: item.status?.S as ExecutionStatus,
    input: knownInput ?? decodeValue(item, META_CHUNK_OWNER, 'input', chunks) ?? '',
    inputHash: item.inputHash?.S ?? '',
    createdAt: num(item, 'createdAt') ?? 0,
    updatedAt: num(item, 'updatedAt') ?? 0,
    invocations: num(item, 'invocations') ?? 0,
  };
  const output = decodeValue(item, META_CHUNK_OWNER, 'output', chunks);
  const error = decodeValue(item, META_CHUNK_OWNER, 'error', chunks);
  if (output !== undefined) record.output = output;
  if (error !== undefined) record.error = error;
  for (const field of ['leaseOwner', 'secret'] as const) {
    const value = item[field]?.S;
    if (value !== undefined) record[field] = value;
  }
  for (const field of ['leaseExpiresAt', 'resumeAt', 'timeoutAt'] as const) {
    const value = num(item, field);
    if (value !== undefined) record[field] = value;
  }
  const expiresAt = num(item, EXPIRES_AT_MS);
  if (expiresAt !== undefined) record.expiresAt = expiresAt;
  const pinnedFunctionArn = item.pinnedFunctionArn?.S;
  const pinnedVersion = item.pinnedVersion?.S;
  if (pinnedFunctionArn !== undefined && pinnedVersion !== undefined) {
    record.pinnedVersion = { functionArn: pinnedFunctionArn, version: pinnedVersion };
  }
  return record;
}

/**
 * True when an item read from the `resumable` index (or a scan) is the
 * `#meta` of an execution of `service` in that execution's own partition.
 * Any service may write items with any `duePk` in its own key space: an item
 * whose key is not the one its own service and id give is not an execution
 * of `service`, whatever its attributes say.
 */
export function isGenuineExecutionItem(item: Item, service: string): boolean {
  const executionId = item.executionId?.S;
  return (
    item.sk?.S === META_SORT_KEY &&
    item.service?.S === service &&
    executionId !== undefined &&
    item.pk?.S === partitionKey({ service, executionId })
  );
}

/** Chunk data by sort key, from the items of a partition (other items are skipped). */
export function chunkData(items: Item[]): Map<string, Uint8Array> {
  const chunks = new Map<string, Uint8Array>();
  for (const item of items) {
    const sk = item.sk?.S;
    const data = item.data?.B;
    if (isChunkSortKey(sk) && sk !== undefined && data !== undefined) chunks.set(sk, data);
  }
  return chunks;
}

function num(item: Item, field: string): number | undefined {
  const value = item[field]?.N;
  return value === undefined ? undefined : Number(value);
}
