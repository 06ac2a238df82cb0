import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  type ScanCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ExecutionKey, ExecutionRecord } from '../../journal/records.js';
import type { ConditionalWriteOutcome } from '../checkpoint-store.js';
import { type ConditionalUpdate, isConditionRefusal, updateParameters } from './conditions.js';
import { chunkData, type Item, toExecutionRecord } from './items.js';
import { META_CHUNK_OWNER, metaKey } from './keys.js';
import { explainTableError } from './table.js';
import { type ChunkData, type ChunkItem, chunkRef } from './values.js';

/**
 * The requests the store sends to its table, each in one place: the
 * paginated Query/Scan every reader uses, the conditional updates of
 * `#meta`, chunk writes and reads. Errors no retry can fix (a missing table,
 * missing permissions) become a ConfigurationError (table.ts); throttling
 * and 5xx are the client's own retry strategy's.
 */
export class TableIo {
  readonly #client: DynamoDBClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
    /** Largest value the store accepts (PayloadTooLargeError above). */
    readonly maxValueBytes: number,
  ) {
    this.#client = client;
  }

  /** Sends one request, explaining setup errors. */
  async send<Output>(send: (client: DynamoDBClient) => Promise<Output>): Promise<Output> {
    try {
      return await send(this.#client);
    } catch (error) {
      throw explainTableError(error, this.tableName);
    }
  }

  /** The pages of a Query or Scan of the table, following `LastEvaluatedKey`; break out to stop early. */
  async *pages(
    request: { query: Omit<QueryCommandInput, 'TableName'> } | { scan: Omit<ScanCommandInput, 'TableName'> },
  ): AsyncGenerator<Item[]> {
    let startKey: Item | undefined;
    do {
      const from = startKey === undefined ? {} : { ExclusiveStartKey: startKey };
      const page = await this.send(
        (client): Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }> =>
          'query' in request
            ? client.send(new QueryCommand({ TableName: this.tableName, ...request.query, ...from }))
            : client.send(new ScanCommand({ TableName: this.tableName, ...request.scan, ...from })),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Every item a Query finds, all pages read. */
  async queryAll(query: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.pages({ query })) items.push(...page);
    return items;
  }

  /** One item in a consistent read, or only the attributes `projection` names. */
  async getItem(key: Item, projection?: string): Promise<Item | undefined> {
    const output = await this.send((client) =>
      client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: key,
          ConsistentRead: true,
          ...(projection === undefined ? {} : { ProjectionExpression: projection }),
        }),
      ),
    );
    return output.Item;
  }

  /** The execution as it stands, in a consistent read. */
  async getExecution(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const item = await this.getItem(metaKey(key));
    return item === undefined ? undefined : this.executionFrom(item);
  }

  /** A conditional update of `#meta` that returns the item as written, or undefined when its condition refused it. */
  async updateReturningItem(key: ExecutionKey, update: ConditionalUpdate): Promise<Item | undefined> {
    try {
      const output = await this.send((client) =>
        client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: metaKey(key),
            ...updateParameters(update),
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return output.Attributes ?? {};
    } catch (error) {
      if (!isConditionRefusal(error)) throw error;
      return undefined;
    }
  }

  /** A conditional update of `#meta`: true when done, false when its condition refused it. */
  async tryUpdate(key: ExecutionKey, update: ConditionalUpdate): Promise<boolean> {
    try {
      await this.send((client) =>
        client.send(
          new UpdateItemCommand({ TableName: this.tableName, Key: metaKey(key), ...updateParameters(update) }),
        ),
      );
      return true;
    } catch (error) {
      if (!isConditionRefusal(error)) throw error;
      return false;
    }
  }

  /** A conditional update of `#meta`: done, or refused with the record that stands there. */
  async updateExecution(
    key: ExecutionKey,
    update: ConditionalUpdate,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    try {
      await this.send((client) =>
        client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: metaKey(key),
            ...updateParameters(update),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { ok: true };
    } catch (error) {
      if (!isConditionRefusal(error)) throw error;
      // DynamoDB returns the item with the refusal; dynalite does not, so read it then.
      const current = error.Item ?? (await this.getItem(metaKey(key)));
      return { ok: false, current: current === undefined ? undefined : await this.executionFrom(current) };
    }
  }

  /** The record of a `#meta` item, its chunked values read. */
  async executionFrom(item: Item): Promise<ExecutionRecord> {
    return toExecutionRecord(item, await this.chunksOf(item, META_CHUNK_OWNER, ['input', 'output', 'error']));
  }

  /** The chunks of an item's chunked values: one query per chunked value, none for the usual small ones. */
  async chunksOf(item: Item, owner: string, fields: string[]): Promise<ChunkData> {
    const chunks = new Map<string, Uint8Array>();
    for (const field of fields) {
      const ref = chunkRef(item, owner, field);
      if (ref === undefined) continue;
      const items = await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: item.pk?.S ?? '' }, ':prefix': { S: ref.prefix } },
        ConsistentRead: true,
      });
      for (const [sk, data] of chunkData(items)) chunks.set(sk, data);
    }
    return chunks;
  }

  /** Chunks go first, so a record never points at chunks that are not there yet. */
  async writeChunks(chunks: ChunkItem[]): Promise<void> {
    for (let i = 0; i < chunks.length; i += 25) {
      let requests = chunks.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        const output = await this.send((client) =>
          client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } })),
        );
        requests = (output.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
}
