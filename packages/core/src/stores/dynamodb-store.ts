import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../errors.js';
import type {
  ExecutionKey,
  ExecutionRecord,
  ExecutionStatus,
  ExpectedOperation,
  OperationKind,
  OperationRecord,
  OperationStatus,
} from '../journal/records.js';
import type {
  CheckpointStore,
  ClaimOutcome,
  ClaimRequest,
  ConditionalWriteOutcome,
  ExecutionPage,
  ExecutionTransition,
  ListExecutionsQuery,
  ResumableQuery,
} from './checkpoint-store.js';
import { type ChunkData, type ChunkItem, chunkRef, decodeValue, ValueEncoder } from './dynamodb-values.js';
import { claimDecision, isFinished, positionOrder } from './store-rules.js';

type Item = Record<string, AttributeValue>;

/** Options of {@link DynamoDbStore}. */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Records expire (DynamoDB TTL on `expiresAt`) this long after their last write. Default 90 days. */
  retentionMs?: number;
  /** Largest value the store accepts, after which it refuses with PayloadTooLargeError. Default 16 MiB. */
  maxValueBytes?: number;
}

/** What {@link DynamoDbStore.createTable} set up. */
export interface CreatedTable {
  tableName: string;
  /** False when the server has no TTL support (dynalite): records then never expire on their own. */
  timeToLive: boolean;
}

/** Name of the index of executions due to be resumed (SUSPENDED with a `resumeAt`, or RUNNING with a lease). */
export const RESUMABLE_INDEX = 'resumable';
const META = '#meta';
const META_OWNER = 'meta';
const DAY_MS = 86_400_000;
const FINISHED = [':succeeded', ':failed'] as const;

/**
 * The production {@link CheckpointStore}: one DynamoDB table (DESIGN §4).
 * Partition key `pk = <service>#<executionId>`; sort key `#meta` for the
 * execution, `op#<position>` for each operation, `chunk#…` for the pieces of
 * large values. Every write is one conditional PutItem or UpdateItem (no
 * transactions); a journal is read with one consistent, paginated Query. A
 * sparse index (`resumable`: `duePk = <service>#due`, `dueAt`) lists what the
 * sweeper must re-invoke.
 */
export class DynamoDbStore implements CheckpointStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #retentionMs: number;
  readonly #maxValueBytes: number;

  constructor(options: DynamoDbStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#retentionMs = options.retentionMs ?? 90 * DAY_MS;
    this.#maxValueBytes = options.maxValueBytes ?? 16 * 1024 * 1024;
  }

  /**
   * Creates the checkpoint table (on-demand capacity), its `resumable` index
   * and TTL on `expiresAt`, and waits until it is active.
   */
  static async createTable(client: DynamoDBClient, tableName: string): Promise<CreatedTable> {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'duePk', AttributeType: 'S' },
          { AttributeName: 'dueAt', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: RESUMABLE_INDEX,
            KeySchema: [
              { AttributeName: 'duePk', KeyType: 'HASH' },
              { AttributeName: 'dueAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    await waitUntilActive(client, tableName);
    let timeToLive = true;
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'UnknownOperationException') throw error;
      timeToLive = false;
    }
    return { tableName, timeToLive };
  }

  // ---- claim -----------------------------------------------------------------

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const pk = partitionKey(request.key);
    // A large input is chunked; its chunks are written only by a claim that creates the execution, so an event
    // refused as busy, finished or conflicting writes nothing. Such an event first tries the existing execution.
    let createOnly = false;
    // A lost race (the record changed between the refused write and the read) is decided again; it settles fast.
    for (let round = 0; ; round++) {
      const encoder = this.#encoder(pk, META_OWNER, request.now);
      const names: Record<string, string> = { '#status': 'status' };
      const values: Item = {
        ':running': { S: 'RUNNING' },
        ':suspended': { S: 'SUSPENDED' },
        ':owner': { S: request.owner },
        ':now': { N: String(request.now) },
        ':lease': { N: String(request.leaseExpiresAt) },
        ':service': { S: request.key.service },
        ':id': { S: request.key.executionId },
        ':zero': { N: '0' },
        ':one': { N: '1' },
        ':duePk': { S: duePartition(request.key.service) },
        ':expiresAt': { N: this.#expiresAt(request.now) },
      };
      const sets = [
        'service = :service',
        'executionId = :id',
        '#status = :running',
        'leaseOwner = :owner',
        'leaseExpiresAt = :lease',
        'updatedAt = :now',
        'createdAt = if_not_exists(createdAt, :now)',
        'invocations = if_not_exists(invocations, :zero) + :one',
        'duePk = :duePk',
        'dueAt = :lease',
        'expiresAt = :expiresAt',
      ];
      const takeOver =
        '#status IN (:running, :suspended) AND (#status = :suspended OR attribute_not_exists(leaseExpiresAt) ' +
        'OR leaseExpiresAt <= :now OR leaseOwner = :owner)';
      const conditions: string[] = [];
      if (request.workflow !== undefined) {
        values[':workflow'] = { S: request.workflow };
        sets.push('workflow = if_not_exists(workflow, :workflow)');
        conditions.push('workflow = :workflow');
      }
      if (request.secret !== undefined) {
        values[':secret'] = { S: request.secret };
        sets.push('secret = if_not_exists(secret, :secret)');
      }
      if (request.input !== undefined) {
        values[':inputHash'] = { S: request.input.hash };
        sets.push('inputHash = if_not_exists(inputHash, :inputHash)');
        conditions.push('inputHash = :inputHash');
        const [[field, value]] = Object.entries(
          encoder.encode('input', request.input.serialized, 'the workflow input'),
        ) as [[string, AttributeValue]];
        names['#input'] = field;
        values[':input'] = value;
        sets.push('#input = if_not_exists(#input, :input)');
      }
      const chunked = encoder.chunks.length > 0;
      let condition: string;
      if (chunked && !createOnly) {
        // Existing executions keep their input (the hash is compared): leave the chunked value out.
        sets.splice(sets.indexOf('#input = if_not_exists(#input, :input)'), 1);
        delete names['#input'];
        delete values[':input'];
        condition = ['attribute_exists(pk)', takeOver, ...conditions].join(' AND ');
      } else if (chunked) {
        condition = 'attribute_not_exists(pk)';
        delete values[':suspended']; // only the take-over condition uses it
        await this.#writeChunks(encoder.chunks);
      } else if (request.input !== undefined && request.workflow !== undefined) {
        condition = `attribute_not_exists(pk) OR (${[takeOver, ...conditions].join(' AND ')})`;
      } else {
        condition = ['attribute_exists(pk)', takeOver, ...conditions].join(' AND ');
      }
      try {
        const output = await this.#call(() =>
          this.#client.send(
            new UpdateItemCommand({
              TableName: this.#table,
              Key: metaKey(request.key),
              UpdateExpression: `SET ${sets.join(', ')} REMOVE resumeAt`,
              ConditionExpression: condition,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        const item = output.Attributes ?? {};
        const isNew = Number(item.invocations?.N) === 1;
        // A new execution's input is the one just sent: no need to read its chunks back.
        const record =
          isNew && request.input !== undefined
            ? toExecutionRecord(item, new Map(), request.input.serialized)
            : await this.#executionFrom(item);
        return { kind: 'claimed', record, isNew };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const current = await this.getExecution(request.key);
      if (current === undefined && chunked && !createOnly) {
        createOnly = true;
        continue;
      }
      const decision = claimDecision(current, request);
      if (decision.kind !== 'claimed') return decision;
      if (round >= 3 && current !== undefined) return { kind: 'busy', record: current };
    }
  }

  // ---- the journal -----------------------------------------------------------------

  async loadJournal(key: ExecutionKey): Promise<OperationRecord[]> {
    const items = await this.#queryAll({
      TableName: this.#table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: partitionKey(key) } },
      ConsistentRead: true,
    });
    const chunks = chunkData(items);
    const records: OperationRecord[] = [];
    for (const item of items) {
      if (item.sk?.S?.startsWith('op#')) records.push(toOperationRecord(item, chunks));
    }
    return records.sort(positionOrder);
  }

  async writeOperation(
    key: ExecutionKey,
    record: OperationRecord,
    expected: ExpectedOperation,
  ): Promise<ConditionalWriteOutcome<OperationRecord>> {
    const pk = partitionKey(key);
    const owner = `op#${record.position}`;
    const encoder = this.#encoder(pk, owner, record.updatedAt);
    const item: Item = {
      pk: { S: pk },
      sk: { S: owner },
      position: { S: record.position },
      kind: { S: record.kind },
      name: { S: record.name },
      argsHash: { S: record.argsHash },
      status: { S: record.status },
      attempt: { N: String(record.attempt) },
      updatedAt: { N: String(record.updatedAt) },
      expiresAt: { N: this.#expiresAt(record.updatedAt) },
    };
    for (const field of ['wakeAt', 'retryAt', 'timeoutAt'] as const) {
      const value = record[field];
      if (value !== undefined) item[field] = { N: String(value) };
    }
    if (record.owner !== undefined) item.owner = { S: record.owner };
    if (record.result !== undefined)
      Object.assign(item, encoder.encode('result', record.result, `the result at ${record.position}`));
    if (record.error !== undefined)
      Object.assign(item, encoder.encode('error', record.error, `the error at ${record.position}`));
    await this.#writeChunks(encoder.chunks);
    try {
      await this.#call(() =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: item,
            ...(expected === null
              ? // "Only if nothing stands there", in the legacy form: DynamoDB treats it exactly like
                // ConditionExpression 'attribute_not_exists(pk)' (same capacity, same refusal), and dynalite, the
                // embedded local store, then skips its expression parser: 0.3-0.5 ms less CPU per step write
                // (bench/README.md). The rarer transitions below keep expressions.
                { Expected: { pk: { Exists: false } } }
              : {
                  ConditionExpression: '#status = :status AND attempt = :attempt',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':status': { S: expected.status },
                    ':attempt': { N: String(expected.attempt) },
                  },
                }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // DynamoDB returns the winner with the refusal; dynalite does not, so read it then.
      const winner = error.Item ?? (await this.#getItem({ pk: { S: pk }, sk: { S: owner } }));
      if (winner === undefined) return { ok: false, current: undefined };
      return {
        ok: false,
        current: toOperationRecord(winner, await this.#chunksOf(pk, winner, owner, ['result', 'error'])),
      };
    }
  }

  // ---- ending and resuming -------------------------------------------------------

  async transition(
    key: ExecutionKey,
    owner: string,
    to: ExecutionTransition,
    now: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    const pk = partitionKey(key);
    const encoder = this.#encoder(pk, META_OWNER, now);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = {
      ':to': { S: to.status },
      ':now': { N: String(now) },
      ':succeeded': { S: 'SUCCEEDED' },
      ':failed': { S: 'FAILED' },
      ':expiresAt': { N: this.#expiresAt(now) },
    };
    const sets = ['#status = :to', 'updatedAt = :now', 'expiresAt = :expiresAt'];
    const removes = ['leaseOwner', 'leaseExpiresAt'];
    let condition = `attribute_exists(pk) AND NOT #status IN (${FINISHED.join(', ')})`;
    if (to.status === 'SUSPENDED') {
      values[':owner'] = { S: owner };
      condition += ' AND leaseOwner = :owner';
      return this.#suspend(key, { names, values, sets, removes, condition }, to.resumeAt);
    }
    removes.push('resumeAt', 'duePk', 'dueAt');
    const [field, text] = to.status === 'SUCCEEDED' ? ['output', to.output] : ['error', to.error];
    const encoded = encoder.encode(field, text, `the ${field} of execution '${key.executionId}'`);
    for (const [attribute, value] of Object.entries(encoded)) {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    }
    await this.#writeChunks(encoder.chunks);
    return this.#conditionalUpdate(key, { names, values, sets, removes, condition });
  }

  /**
   * Suspends, keeping the earliest of the asked `resumeAt` and one requested
   * while the invocation ran (a callback completed): the conditional write
   * refuses to raise an earlier `resumeAt`, and the retry keeps that one.
   */
  async #suspend(key: ExecutionKey, update: UpdateParts, resumeAt: number | undefined) {
    for (let round = 0; round < 3; round++) {
      const parts: UpdateParts = {
        ...update,
        values: { ...update.values },
        sets: [...update.sets],
        removes: [...update.removes],
      };
      if (resumeAt === undefined) {
        parts.condition += ' AND attribute_not_exists(resumeAt)';
        parts.removes.push('duePk', 'dueAt');
      } else {
        parts.values[':resumeAt'] = { N: String(resumeAt) };
        parts.values[':duePk'] = { S: duePartition(key.service) };
        parts.sets.push('resumeAt = :resumeAt', 'duePk = :duePk', 'dueAt = :resumeAt');
        parts.condition += ' AND (attribute_not_exists(resumeAt) OR resumeAt >= :resumeAt)';
      }
      const outcome = await this.#conditionalUpdate(key, parts);
      const current = outcome.ok ? undefined : outcome.current;
      const ownerValue = update.values[':owner']?.S;
      if (outcome.ok || current === undefined || isFinished(current.status) || current.leaseOwner !== ownerValue) {
        return outcome;
      }
      resumeAt = current.resumeAt;
    }
    return { ok: false as const, current: await this.getExecution(key) };
  }

  async requestResume(key: ExecutionKey, resumeAt: number): Promise<void> {
    try {
      await this.#call(() =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: metaKey(key),
            UpdateExpression: 'SET resumeAt = :resumeAt, duePk = :duePk, dueAt = :resumeAt',
            ConditionExpression:
              'attribute_exists(pk) AND NOT #status IN (:succeeded, :failed) AND ' +
              '(attribute_not_exists(resumeAt) OR resumeAt > :resumeAt)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':resumeAt': { N: String(resumeAt) },
              ':duePk': { S: duePartition(key.service) },
              ':succeeded': { S: 'SUCCEEDED' },
              ':failed': { S: 'FAILED' },
            },
          }),
        ),
      );
    } catch (error) {
      // Finished, unknown, or already due earlier: nothing to do.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  // ---- reading executions ----------------------------------------------------------

  async getExecution(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const item = await this.#getItem(metaKey(key));
    return item === undefined ? undefined : this.#executionFrom(item);
  }

  /**
   * Executions, newest first. A Scan of the table's `#meta` items: meant for
   * tools on local and test tables, not for a hot path.
   */
  async listExecutions(query: ListExecutionsQuery): Promise<ExecutionPage> {
    const filters = ['sk = :meta'];
    const values: Item = { ':meta': { S: META } };
    const names: Record<string, string> = {};
    if (query.service !== undefined) {
      filters.push('service = :service');
      values[':service'] = { S: query.service };
    }
    if (query.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = { S: query.status };
    }
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#call(() =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#table,
            FilterExpression: filters.join(' AND '),
            ExpressionAttributeValues: values,
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const records = await Promise.all(items.map((item) => this.#executionFrom(item)));
    records.sort((a, b) => b.createdAt - a.createdAt || a.executionId.localeCompare(b.executionId));
    const limit = query.limit ?? 50;
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const executions = records.slice(start, start + limit);
    return start + limit < records.length ? { executions, cursor: String(start + limit) } : { executions };
  }

  async findResumable({ service, now, limit }: ResumableQuery): Promise<ExecutionRecord[]> {
    const found: ExecutionRecord[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#call(() =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: RESUMABLE_INDEX,
            KeyConditionExpression: 'duePk = :duePk AND dueAt <= :now',
            ExpressionAttributeValues: { ':duePk': { S: duePartition(service) }, ':now': { N: String(now) } },
            Limit: limit,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const record = await this.#executionFrom(item);
        // The index is eventually consistent: check the record itself.
        const isDue =
          (record.status === 'SUSPENDED' && record.resumeAt !== undefined && record.resumeAt <= now) ||
          (record.status === 'RUNNING' && record.leaseExpiresAt !== undefined && record.leaseExpiresAt < now);
        if (isDue && found.length < limit) found.push(record);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && found.length < limit);
    return found;
  }

  // ---- helpers -------------------------------------------------------------------

  /**
   * Sends a command (the client's own retry strategy handles throttling and
   * 5xx). Errors no retry can fix (a missing table, missing permissions) become
   * a {@link ConfigurationError} that says what to set up.
   */
  async #call<Output>(send: () => Promise<Output>): Promise<Output> {
    try {
      return await send();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException') {
        throw new ConfigurationError(
          `Checkpoint table '${this.#table}' does not exist: create it with DynamoDbStore.createTable(client, ` +
            `'${this.#table}') or point DURABLE_TABLE at the right table.`,
        );
      }
      if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
        throw new ConfigurationError(
          `Access to checkpoint table '${this.#table}' was denied (${name}): attach the generated IAM policy ` +
            `(generated/iam/<service>.json) to the function's role. ${(error as Error).message}`,
        );
      }
      throw error;
    }
  }

  #encoder(pk: string, owner: string, now: number): ValueEncoder {
    return new ValueEncoder(pk, owner, this.#maxValueBytes, Number(this.#expiresAt(now)));
  }

  /**
   * TTL attribute value, epoch seconds. Retention is wall-clock time: it
   * ignores the engine's clock, which tests (and replays of old timelines) may
   * set anywhere.
   */
  #expiresAt(_now: number): string {
    return String(Math.ceil((Date.now() + this.#retentionMs) / 1000));
  }

  async #conditionalUpdate(key: ExecutionKey, parts: UpdateParts): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    try {
      await this.#call(() =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: metaKey(key),
            UpdateExpression: `SET ${parts.sets.join(', ')}${parts.removes.length > 0 ? ` REMOVE ${parts.removes.join(', ')}` : ''}`,
            ConditionExpression: parts.condition,
            ExpressionAttributeNames: parts.names,
            ExpressionAttributeValues: parts.values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { ok: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item ?? (await this.#getItem(metaKey(key)));
      return { ok: false, current: current === undefined ? undefined : await this.#executionFrom(current) };
    }
  }

  async #getItem(key: Item): Promise<Item | undefined> {
    const output = await this.#call(() =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true })),
    );
    return output.Item;
  }

  async #executionFrom(item: Item): Promise<ExecutionRecord> {
    const chunks = await this.#chunksOf(item.pk?.S ?? '', item, META_OWNER, ['input', 'output', 'error']);
    return toExecutionRecord(item, chunks);
  }

  /** The chunks of an item's chunked values: one query per chunked value, none for the usual small ones. */
  async #chunksOf(pk: string, item: Item, owner: string, fields: string[]): Promise<ChunkData> {
    const chunks = new Map<string, Uint8Array>();
    for (const field of fields) {
      const ref = chunkRef(item, owner, field);
      if (ref === undefined) continue;
      const items = await this.#queryAll({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: ref.prefix } },
        ConsistentRead: true,
      });
      for (const [sk, data] of chunkData(items)) chunks.set(sk, data);
    }
    return chunks;
  }

  async #queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.#call(() =>
        this.#client.send(
          new QueryCommand({ ...input, ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }) }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  /** Chunks go first, so a record never points at chunks that are not there yet. */
  async #writeChunks(chunks: ChunkItem[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += 25) {
      let requests = chunks.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const output = await this.#call(() =>
          this.#client.send(new BatchWriteItemCommand({ RequestItems: { [this.#table]: requests } })),
        );
        requests = (output.UnprocessedItems?.[this.#table] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
}

/** Polls until the table and its index are ACTIVE: quickly at first (local servers are ready at once), then less often. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (let delayMs = 20; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new Error(`table '${tableName}' did not become ACTIVE within 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

interface UpdateParts {
  names: Record<string, string>;
  values: Item;
  sets: string[];
  removes: string[];
  condition: string;
}

function partitionKey(key: ExecutionKey): string {
  return `${key.service}#${key.executionId}`;
}

function metaKey(key: ExecutionKey): Item {
  return { pk: { S: partitionKey(key) }, sk: { S: META } };
}

/** Partition of the `resumable` index: per service, so a service's IAM policy (LeadingKeys) covers its own. */
function duePartition(service: string): string {
  return `${service}#due`;
}

function chunkData(items: Item[]): Map<string, Uint8Array> {
  const chunks = new Map<string, Uint8Array>();
  for (const item of items) {
    const sk = item.sk?.S;
    const data = item.data?.B;
    if (sk?.startsWith('chunk#') && data !== undefined) chunks.set(sk, data);
  }
  return chunks;
}

function num(item: Item, field: string): number | undefined {
  const value = item[field]?.N;
  return value === undefined ? undefined : Number(value);
}

function toOperationRecord(item: Item, chunks: ChunkData): OperationRecord {
  const owner = item.sk?.S ?? '';
  const record: OperationRecord = {
    position: item.position?.S ?? '',
    kind: item.kind?.S as OperationKind,
    name: item.name?.S ?? '',
    argsHash: item.argsHash?.S ?? '',
    status: item.status?.S as OperationStatus,
    attempt: num(item, 'attempt') ?? 1,
    updatedAt: num(item, 'updatedAt') ?? 0,
  };
  const writer = item.owner?.S;
  if (writer !== undefined) record.owner = writer;
  const result = decodeValue(item, owner, 'result', chunks);
  const error = decodeValue(item, owner, 'error', chunks);
  if (result !== undefined) record.result = result;
  if (error !== undefined) record.error = error;
  for (const field of ['wakeAt', 'retryAt', 'timeoutAt'] as const) {
    const value = num(item, field);
    if (value !== undefined) record[field] = value;
  }
  return record;
}

function toExecutionRecord(item: Item, chunks: ChunkData, knownInput?: string): ExecutionRecord {
  const record: ExecutionRecord = {
    service: item.service?.S ?? '',
    executionId: item.executionId?.S ?? '',
    workflow: item.workflow?.S ?? '',
    status: item.status?.S as ExecutionStatus,
    input: knownInput ?? decodeValue(item, META_OWNER, 'input', chunks) ?? '',
    inputHash: item.inputHash?.S ?? '',
    createdAt: num(item, 'createdAt') ?? 0,
    updatedAt: num(item, 'updatedAt') ?? 0,
    invocations: num(item, 'invocations') ?? 0,
  };
  const output = decodeValue(item, META_OWNER, 'output', chunks);
  const error = decodeValue(item, META_OWNER, 'error', chunks);
  if (output !== undefined) record.output = output;
  if (error !== undefined) record.error = error;
  const leaseOwner = item.leaseOwner?.S;
  if (leaseOwner !== undefined) record.leaseOwner = leaseOwner;
  const secret = item.secret?.S;
  if (secret !== undefined) record.secret = secret;
  for (const field of ['leaseExpiresAt', 'resumeAt'] as const) {
    const value = num(item, field);
    if (value !== undefined) record[field] = value;
  }
  return record;
}
