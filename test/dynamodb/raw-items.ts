import { type AttributeValue, type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { ClaimRequest } from '../../packages/core/src/index.js';

/** An item as the low-level client reads it. */
export type RawItem = Record<string, AttributeValue>;

/** A fixed TTL far in the future (2100-01-01, with milliseconds), so its rounding to seconds is visible. */
export const EXPIRES_AT = 4_102_444_800_123;

/** A claim that creates `key` (or takes its lease) as owner-a, with `overrides`. */
export function claimRequest(key: ClaimRequest['key'], overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  const now = Date.now();
  return {
    key,
    workflow: 'run',
    input: { serialized: '{"n":1}', hash: 'h-1' },
    owner: 'owner-a',
    now,
    leaseExpiresAt: now + 60_000,
    timeoutAt: now + 3_600_000,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

/** Every item of one partition, as stored (all pages), for tests that check the layout behind the store's API. */
export async function partitionItems(client: DynamoDBClient, table: string, pk: string): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let startKey: RawItem | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** One item, as stored. */
export async function rawItem(
  client: DynamoDBClient,
  table: string,
  pk: string,
  sk: string,
): Promise<RawItem | undefined> {
  const output = await client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
  );
  return output.Item;
}

/** The DynamoDB TTL an item carries (epoch seconds), or undefined. */
export function ttlOf(item: RawItem | undefined): number | undefined {
  const value = item?.expiresAt?.N;
  return value === undefined ? undefined : Number(value);
}
