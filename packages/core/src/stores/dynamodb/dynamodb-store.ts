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
  ResumableQuery,
} from '../checkpoint-store.js';
import { isFinished, isResumable, positionOrder } from '../store-rules.js';
import { claimExecution } from './claim.js';
import {
  AT_STATUS_AND_ATTEMPT,
  all,
  type ConditionalUpdate,
  conditionParameters,
  EXECUTION_EXISTS,
  filterParameters,
  HELD_BY_OWNER,
  isConditionRefusal,
  NO_EARLIER_RESUME_ASKED,
  NO_RESUME_ASKED,
  NOT_FINISHED,
  RESUME_WOULD_COME_SOONER,
} from './conditions.js';
import {
  chunkData,
  expiryAttributes,
  type Item,
  isGenuineExecutionItem,
  operationItem,
  toOperationRecord,
  ttlSeconds,
} from './items.js';
import {
  duePartition,
  isOperationSortKey,
  META_CHUNK_OWNER,
  META_SORT_KEY,
  metaKey,
  operationSortKey,
  partitionKey,
} from './keys.js';
import { type CreatedTable, createTable, RESUMABLE_INDEX, TTL_ATTRIBUTE } from './table.js';
import { TableIo } from './table-io.js';
import { ITEM_VALUE_BUDGET_BYTES, isItemTooLarge, META_OUTCOME_BUDGET_BYTES, ValueEncoder } from './values.js';

/** Options of {@link DynamoDbStore}. */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Largest value the store accepts, after which it refuses with PayloadTooLargeError. Default 16 MiB. */
  maxValueBytes?: number;
}

/**
 * The production {@link CheckpointStore}: one DynamoDB table (DESIGN §4), one
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
              : conditionParameters(AT_STATUS_AND_ATTEMPT, {
                  ':status': { S: expected.status },
                  ':attempt': { N: String(expected.attempt) },
                })),
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

  async transition(
    key: ExecutionKey,
    owner: string,
    to: ExecutionTransition,
    now: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    const update: ConditionalUpdate = {
      sets: ['#status = :to', 'updatedAt = :now'],
      removes: ['leaseOwner', 'leaseExpiresAt'],
      // Fenced by the lease: an invocation whose lease was taken over never ends or pauses the newer one's run.
      condition: all(EXECUTION_EXISTS, NOT_FINISHED, HELD_BY_OWNER),
      names: {},
      values: { ':to': { S: to.status }, ':now': { N: String(now) }, ':owner': { S: owner } },
    };
    if (to.status === 'SUSPENDED') return this.#suspend(key, owner, update, to.resumeAt);
    update.removes.push('resumeAt', 'duePk', 'dueAt');
    for (const [attribute, value] of Object.entries(expiryAttributes(to.expiresAt))) {
      update.sets.push(`${attribute} = :${attribute}`);
      update.values[`:${attribute}`] = value;
    }
    const [field, text] = to.status === 'SUCCEEDED' ? ['output', to.output] : ['error', to.error];
    // The output keeps to its half of the item's budget (values.ts): the input may hold the other half.
    const outcome = await this.#finish(key, update, field, text, to.expiresAt, META_OUTCOME_BUDGET_BYTES);
    if (outcome !== 'too-large') return outcome;
    // Only items of older versions, whose input could take the whole budget inline, get here: chunk the value.
    const retried = await this.#finish(key, update, field, text, to.expiresAt, 0);
    if (retried === 'too-large') throw new Error(`the #meta item of execution '${key.executionId}' is over 400 KB`);
    return retried;
  }

  /** One finishing write of the output or error, unless the item would pass 400 KB with it inline. */
  async #finish(
    key: ExecutionKey,
    update: ConditionalUpdate,
    field: string,
    text: string,
    expiresAt: number | undefined,
    budgetBytes: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord> | 'too-large'> {
    const encoder = new ValueEncoder({
      pk: partitionKey(key),
      owner: META_CHUNK_OWNER,
      maxValueBytes: this.#io.maxValueBytes,
      budgetBytes,
      ttlSeconds: expiresAt === undefined ? undefined : ttlSeconds(expiresAt),
    });
    const encoded = encoder.encode(field, text, `the ${field} of execution '${key.executionId}'`);
    const parts: ConditionalUpdate = {
      ...update,
      sets: [...update.sets],
      names: { ...update.names },
      values: { ...update.values },
    };
    for (const [attribute, value] of Object.entries(encoded)) {
      parts.names[`#${attribute}`] = attribute;
      parts.values[`:${attribute}`] = value;
      parts.sets.push(`#${attribute} = :${attribute}`);
    }
    if (encoder.chunks.length > 0 && expiresAt === undefined) {
      // Chunks expire with their record; without a new expiry the finish keeps the execution's (one rare read).
      const ttl = (await this.#io.getItem(metaKey(key), TTL_ATTRIBUTE))?.[TTL_ATTRIBUTE];
      if (ttl !== undefined) for (const chunk of encoder.chunks) chunk[TTL_ATTRIBUTE] = ttl;
    }
    await this.#io.writeChunks(encoder.chunks);
    try {
      return await this.#io.updateExecution(key, parts);
    } catch (error) {
      if (isItemTooLarge(error) && encoder.chunks.length === 0) return 'too-large';
      throw error;
    }
  }

  /**
   * Suspends, keeping the earliest of the asked `resumeAt` and one requested
   * while the invocation ran (a callback completed): the conditional write
   * refuses to raise an earlier `resumeAt`, and the retry keeps that one.
   */
  async #suspend(
    key: ExecutionKey,
    owner: string,
    update: ConditionalUpdate,
    resumeAt: number | undefined,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    for (let round = 0; round < 3; round++) {
      const parts: ConditionalUpdate = { ...update, sets: [...update.sets], removes: [...update.removes] };
      if (resumeAt === undefined) {
        parts.condition = all(update.condition, NO_RESUME_ASKED);
        parts.removes.push('duePk', 'dueAt');
      } else {
        parts.values = {
          ...update.values,
          ':resumeAt': { N: String(resumeAt) },
          ':duePk': { S: duePartition(key.service) },
        };
        parts.sets.push('resumeAt = :resumeAt', 'duePk = :duePk', 'dueAt = :resumeAt');
        parts.condition = all(update.condition, NO_EARLIER_RESUME_ASKED);
      }
      const outcome = await this.#io.updateExecution(key, parts);
      const current = outcome.ok ? undefined : outcome.current;
      if (outcome.ok || current === undefined || isFinished(current.status) || current.leaseOwner !== owner) {
        return outcome;
      }
      resumeAt = current.resumeAt;
    }
    return { ok: false, current: await this.#io.getExecution(key) };
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
