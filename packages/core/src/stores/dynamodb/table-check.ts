import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TableSchemaError } from '../../errors.js';
import { type CreatedTable, createTable, RESUMABLE_INDEX, TTL_ATTRIBUTE } from './table.js';

/** What {@link ensureTable} found or did. */
export interface EnsuredTable extends CreatedTable {
  /** True when the table did not exist and was created. */
  created: boolean;
}

/**
 * The checkpoint table, ready: created (as {@link createTable} does) when it
 * does not exist, else checked against the schema the store needs. What a
 * deploy runs before any function may write to it.
 *
 * @throws TableSchemaError naming every difference, when an existing table does not fit; nothing is changed.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<EnsuredTable> {
  const table = await describe(client, tableName);
  if (table === undefined) return { ...(await createTable(client, tableName)), created: true };
  const problems = schemaProblems(table);
  const timeToLive = await timeToLiveOn(client, tableName);
  if (timeToLive === 'other') problems.push(`its TTL is not on '${TTL_ATTRIBUTE}' (epoch seconds)`);
  if (problems.length > 0) throw new TableSchemaError(tableName, problems);
  return { tableName, timeToLive: timeToLive === 'on', created: false };
}

/** Every way `table` differs from what the store reads and writes: keys, and the `resumable` index. */
export function schemaProblems(table: TableDescription): string[] {
  const problems: string[] = [];
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const keys = (schema: TableDescription['KeySchema']): string =>
    (schema ?? []).map((k) => `${k.AttributeName}:${types.get(k.AttributeName ?? '')}:${k.KeyType}`).join(',');
  if (keys(table.KeySchema) !== 'pk:S:HASH,sk:S:RANGE') {
    problems.push(`its key is ${keys(table.KeySchema) || 'unknown'}, not pk (string, hash) and sk (string, range)`);
  }
  const index = (table.GlobalSecondaryIndexes ?? []).find((i) => i.IndexName === RESUMABLE_INDEX);
  if (index === undefined) {
    problems.push(`it has no global secondary index '${RESUMABLE_INDEX}' (the sweeper's)`);
  } else {
    if (keys(index.KeySchema) !== 'duePk:S:HASH,dueAt:N:RANGE') {
      problems.push(
        `its index '${RESUMABLE_INDEX}' is keyed ${keys(index.KeySchema)}, not duePk (string, hash) and dueAt (number, range)`,
      );
    }
    if (index.Projection?.ProjectionType !== 'ALL') {
      problems.push(
        `its index '${RESUMABLE_INDEX}' projects ${index.Projection?.ProjectionType ?? 'nothing'}, not ALL`,
      );
    }
  }
  return problems;
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/** Whether TTL deletes expired items: on `expiresAt`, off (a table that keeps everything), or on another attribute. */
async function timeToLiveOn(client: DynamoDBClient, tableName: string): Promise<'on' | 'off' | 'other'> {
  try {
    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const enabled = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
    if (!enabled) return 'off';
    return ttl?.AttributeName === TTL_ATTRIBUTE ? 'on' : 'other';
  } catch (error) {
    // Servers without TTL (dynalite) keep everything: as a table with TTL off.
    if ((error as { name?: string }).name === 'UnknownOperationException') return 'off';
    throw error;
  }
}
