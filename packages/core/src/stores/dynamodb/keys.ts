import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ExecutionKey } from '../../journal/records.js';

/**
 * The key layout of the checkpoint table, in one place: one partition per
 * execution, `pk = <service>#<executionId>`, so one consistent Query reads a
 * whole journal and a service's IAM policy (`dynamodb:LeadingKeys` on
 * `<service>#*`) covers exactly its own items. Sort keys inside it:
 * - `#meta`: the execution's own record;
 * - `op#<position>`: one operation record each;
 * - `chunk#<owner>#<field>#<writeId>#<index>`: the pieces of a large value,
 *   where `<owner>` is `meta` or `op#<position>`.
 * The `resumable` index is keyed by `duePk = <service>#due`.
 */

/** The key of an item, as DynamoDB takes it. */
export type ItemKey = { pk: AttributeValue; sk: AttributeValue };

/** Sort key of the execution's own record. */
export const META_SORT_KEY = '#meta';

const OPERATION_PREFIX = 'op#';
const CHUNK_PREFIX = 'chunk#';

/** The `<owner>` part of the chunk keys of the execution record's values (input, output, error). */
export const META_CHUNK_OWNER = 'meta';

/**
 * What every partition key of `service` starts with (its executions' and its
 * `resumable` index partition alike), so one `dynamodb:LeadingKeys` pattern
 * covers a service's items and no other service's.
 */
export function servicePartitionPrefix(service: string): string {
  return `${service}#`;
}

/** The `dynamodb:LeadingKeys` pattern of `service`'s IAM policy: every partition key the service may touch. */
export function leadingKeyPattern(service: string): string {
  return `${servicePartitionPrefix(service)}*`;
}

/** The partition of one execution. */
export function partitionKey(key: ExecutionKey): string {
  return `${servicePartitionPrefix(key.service)}${key.executionId}`;
}

/** The key of an execution's `#meta` item. */
export function metaKey(key: ExecutionKey): ItemKey {
  return { pk: { S: partitionKey(key) }, sk: { S: META_SORT_KEY } };
}

/** The sort key of the operation record at `position`; also the `<owner>` of its chunks. */
export function operationSortKey(position: string): string {
  return `${OPERATION_PREFIX}${position}`;
}

/** True for the sort key of an operation record. */
export function isOperationSortKey(sortKey: string | undefined): boolean {
  return sortKey?.startsWith(OPERATION_PREFIX) ?? false;
}

/** True for the sort key of a chunk. */
export function isChunkSortKey(sortKey: string | undefined): boolean {
  return sortKey?.startsWith(CHUNK_PREFIX) ?? false;
}

/**
 * What every chunk key of one written value starts with. The write id is
 * unique per write, so a racing writer that loses never overwrites the chunks
 * of the record that won.
 */
export function chunkPrefix(owner: string, field: string, writeId: string): string {
  return `${CHUNK_PREFIX}${owner}#${field}#${writeId}#`;
}

/** The sort key of chunk `index` of the value whose chunks start with `prefix`. Zero-padded, so they sort in order. */
export function chunkSortKey(prefix: string, index: number): string {
  return `${prefix}${String(index).padStart(5, '0')}`;
}

/** Partition of the `resumable` index: per service, so a service's IAM policy (LeadingKeys) covers its own. */
export function duePartition(service: string): string {
  return `${servicePartitionPrefix(service)}due`;
}
