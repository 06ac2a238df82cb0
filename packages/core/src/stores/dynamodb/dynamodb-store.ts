import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ExecutionKey, ExecutionRecord, ExpectedOperation, OperationRecord } from '../../journal/records.js';
import type {
  CheckpointStore,
  ClaimOutcome,
  ClaimRequest,
  ConditionalWriteOutcome,
  ExecutionPage,
  ExecutionTransition,
  ListExecutionsQuery,
  RepinRequest,
  ResumableQuery,
} from '../checkpoint-store.js';
import { isResumable, positionOrder } from '../store-rules.js';
import { claimExecution } from './claim.js';
import {
  AT_STATUS_AND_ATTEMPT,
  all,
  BY_EPOCH,
  CLAIMED_EXACTLY,
  conditionParameters,
  EXECUTION_EXISTS,
  filterParameters,
  IS_SUSPENDED,
  isConditionRefusal,
  NOT_FINISHED,
  PINNED_TO_FROM,
  RESUME_WOULD_COME_SOONER,
} from './conditions.js';
import { chunkData, type Item, isGenuineExecutionItem, operationItem, toOperationRecord, ttlSeconds } from './items.js';
import { duePartition, isOperationSortKey, META_SORT_KEY, operationSortKey, partitionKey } from './keys.js';
import { type CreatedTable, createTable, RESUMABLE_INDEX } from './table.js';
import { type EnsuredTable, ensureTable } from './table-check.js';
import { TableIo } from './table-io.js';
import { transitionExecution } from './transitions.js';
import { ITEM_VALUE_BUDGET_BYTES, ValueEncoder } from './values.js';

/** Options of {@link DynamoDbStore}. */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Largest value the store accepts, after which it refuses with PayloadTooLargeError. Default 16 MiB. */
  maxValueBytes?: number;
}

/**
 * The production {@link CheckpointStore}: one DynamoDB table, one
 * partition per execution (the key layout is in keys.ts). Every write is one
 * conditional PutItem or UpdateItem (no transactions; conditions.ts names
 * what each insists on); a journal is read with one consistent, paginated
 * Query. A sparse index (`resumable`) lists what the sweeper must re-invoke.
 * Items expire by DynamoDB TTL at their record's `expiresAt`, fixed when the
 * execution is created, so TTL never deletes a running journal.
 */
export class DynamoDbStore implements CheckpointStore {
  readonly #io: TableIo;

  constructor(options: DynamoDbStoreOptions) {
    this.#io = new TableIo(options.client, options.tableName, options.maxValueBytes ?? 16 * 1024 * 1024);
  }

  /**
   * Creates the checkpoint table (on-demand capacity), its `resumable` index
   * and TTL on `expiresAt`, and waits until it is active.
   */
  static createTable(client: DynamoDBClient, tableName: string): Promise<CreatedTable> {
    return createTable(client, tableName);
  }

  /**
   * The checkpoint table, ready: created as {@link DynamoDbStore.createTable} does when it does not exist,
   * else checked (keys, the `resumable` index, TTL on `expiresAt` where the server has TTL). Throws
   * `TableSchemaError` naming every difference of a table that does not fit, and changes nothing in it.
   */
  static ensureTable(client: DynamoDBClient, tableName: string): Promise<EnsuredTable> {
    return ensureTable(client, tableName);
  }

  claim(request: ClaimRequest): Promise<ClaimOutcome> {
    return claimExecution(this.#io, request);
  }

  async loadJournal(key: ExecutionKey): Promise<OperationRecord[]> {
    const items = await this.#io.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: partitionKey(key) } },
      ConsistentRead: true,
    });
    const chunks = chunkData(items);
    return items
      .filter((item) => isOperationSortKey(item.sk?.S))
      .map((item) => toOperationRecord(item, chunks))
      .sort(positionOrder);
  }

  async writeOperation(
    key: ExecutionKey,
    record: OperationRecord,
    expected: ExpectedOperation,
  ): Promise<ConditionalWriteOutcome<OperationRecord>> {
    const pk = partitionKey(key);
    const sk = operationSortKey(record.position);
    const encoder = new ValueEncoder({
      pk,
      owner: sk,
      maxValueBytes: this.#io.maxValueBytes,
      budgetBytes: ITEM_VALUE_BUDGET_BYTES,
      ttlSeconds: record.expiresAt === undefined ? undefined : ttlSeconds(record.expiresAt),
    });
    const item = operationItem(key, record, encoder);
    await this.#io.writeChunks(encoder.chunks);
    try {
      await this.#io.send((client) =>
        client.send(
          new PutItemCommand({
            TableName: this.#io.tableName,
            Item: item,
            ...(expected === null
              ? // "Only if nothing stands there", in the legacy form: DynamoDB treats it exactly like
                // ConditionExpression 'attribute_not_exists(pk)' (same capacity, same refusal), and dynalite, the
                // embedded local store, then skips its expression parser: 0.3-0.5 ms less CPU per step write
                // (bench/README.md). The rarer transitions below keep expressions.
                { Expected: { pk: { Exists: false } } }
              : conditionParameters(
                  expected.epoch === undefined ? AT_STATUS_AND_ATTEMPT : all(AT_STATUS_AND_ATTEMPT, BY_EPOCH),
                  {
                    ':status': { S: expected.status },
                    ':attempt': { N: String(expected.attempt) },
                    ...(expected.epoch === undefined
                      ? {}
                      : { ':epoch': { N: String(expected.epoch) }, ':zeroEpoch': { N: '0' } }),
                  },
                )),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { ok: true };
    } catch (error) {
      if (!isConditionRefusal(error)) throw error;
      // The record that stands there: the winner of a race, or this very write when its answer was lost and the
      // SDK sent it again. DynamoDB returns it with the refusal; dynalite does not, so read it then.
      const current = error.Item ?? (await this.#io.getItem({ pk: { S: pk }, sk: { S: sk } }));
      if (current === undefined) return { ok: false, current: undefined };
      return {
        ok: false,
        current: toOperationRecord(current, await this.#io.chunksOf(current, sk, ['result', 'error'])),
      };
    }
  }

  transition(
    key: ExecutionKey,
    owner: string,
    to: ExecutionTransition,
    now: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    return transitionExecution(this.#io, key, owner, to, now);
  }

  async requestResume(key: ExecutionKey, resumeAt: number): Promise<void> {
    // Refused when finished, unknown, or already due earlier: nothing to do then.
    await this.#io.tryUpdate(key, {
      sets: ['resumeAt = :resumeAt', 'duePk = :duePk', 'dueAt = :resumeAt'],
      removes: [],
      condition: all(EXECUTION_EXISTS, NOT_FINISHED, RESUME_WOULD_COME_SOONER),
      names: {},
      values: { ':resumeAt': { N: String(resumeAt) }, ':duePk': { S: duePartition(key.service) } },
    });
  }

  repinExecution(key: ExecutionKey, request: RepinRequest): Promise<boolean> {
    // The pair is written together, as the claim that first pinned the execution wrote it.
    return this.#io.tryUpdate(key, {
      sets: ['pinnedVersion = :toVersion', 'pinnedFunctionArn = :toFunctionArn'],
      removes: [],
      condition: all(EXECUTION_EXISTS, IS_SUSPENDED, PINNED_TO_FROM, CLAIMED_EXACTLY),
      names: {},
      values: {
        ':fromVersion': { S: request.from.version },
        ':fromFunctionArn': { S: request.from.functionArn },
        ':toVersion': { S: request.to.version },
        ':toFunctionArn': { S: request.to.functionArn },
        ':invocations': { N: String(request.invocations) },
      },
    });
  }

  async getExecution(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    return this.#io.getExecution(key);
  }

  /**
   * Executions, newest first. A Scan of the table's `#meta` items: meant for
   * tools on local and test tables, not for a hot path.
   */
  async listExecutions(query: ListExecutionsQuery): Promise<ExecutionPage> {
    const filters = ['sk = :meta'];
    const values: Item = { ':meta': { S: META_SORT_KEY } };
    if (query.service !== undefined) {
      filters.push('service = :service');
      values[':service'] = { S: query.service };
    }
    if (query.status !== undefined) {
      filters.push('#status = :status');
      values[':status'] = { S: query.status };
    }
    const items: Item[] = [];
    for await (const page of this.#io.pages({ scan: filterParameters(all(...filters), values) })) {
      items.push(...page.filter((item) => isGenuineExecutionItem(item, item.service?.S ?? '')));
    }
    const records = await Promise.all(items.map((item) => this.#io.executionFrom(item)));
    records.sort((a, b) => b.createdAt - a.createdAt || a.executionId.localeCompare(b.executionId));
    const limit = query.limit ?? 50;
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const executions = records.slice(start, start + limit);
    return start + limit < records.length ? { executions, cursor: String(start + limit) } : { executions };
  }

  async findResumable({ service, now, limit }: ResumableQuery): Promise<ExecutionRecord[]> {
    const found: ExecutionRecord[] = [];
    const pages = this.#io.pages({
      query: {
        IndexName: RESUMABLE_INDEX,
        KeyConditionExpression: 'duePk = :duePk AND dueAt <= :now',
        ExpressionAttributeValues: { ':duePk': { S: duePartition(service) }, ':now': { N: String(now) } },
        Limit: limit,
      },
    });
    for await (const page of pages) {
      for (const item of page) {
        // Any service may write items with this duePk in its own key space: only an execution's own #meta counts.
        if (!isGenuineExecutionItem(item, service)) continue;
        const record = await this.#io.executionFrom(item);
        // The index is eventually consistent: check the record itself.
        if (isResumable(record, now)) found.push(record);
        if (found.length >= limit) return found;
      }
    }
    return found;
  }
}
