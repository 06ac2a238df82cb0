import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../../errors.js';

/**
 * The checkpoint table's schema: string keys `pk`/`sk` (their layout is in
 * keys.ts), the sparse `resumable` index on `duePk`/`dueAt` (only executions
 * the sweeper may have to re-invoke carry those), and DynamoDB TTL on
 * `expiresAt` (epoch seconds).
 */

/**
 * The checkpoint table durable-gen assumes when neither a service's decorator
 * nor `--table` names one: the table of the generated IAM policy and manifest,
 * and the one the CLI's embedded store creates. A generated handler has its
 * table built in; one written by hand reads `DURABLE_TABLE`.
 */
export const DEFAULT_TABLE = 'durable-executions';

/** Name of the index of executions due to be resumed (SUSPENDED with a `resumeAt`, or RUNNING with a lease). */
export const RESUMABLE_INDEX = 'resumable';

/** The attribute DynamoDB's TTL reads, in epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';

/** What {@link createTable} set up. */
export interface CreatedTable {
  tableName: string;
  /** False when the server has no TTL support (dynalite): records then never expire on their own. */
  timeToLive: boolean;
}

/**
 * Creates the checkpoint table (on-demand capacity), its `resumable` index
 * and TTL on `expiresAt`, and waits until it is active.
 */
export async function createTable(client: DynamoDBClient, tableName: string): Promise<CreatedTable> {
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
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'UnknownOperationException') throw error;
    timeToLive = false;
  }
  return { tableName, timeToLive };
}

/** Polls until the table and its index are ACTIVE: quickly at first (local servers are ready at once), then less often. */
export async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (let delayMs = 20; ; delayMs = Math.min(delayMs * 2, 2_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    if (Table?.TableStatus === 'ACTIVE' && indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new Error(`table '${tableName}' did not become ACTIVE within 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * What a request's error means for the caller: errors no retry can fix (a
 * missing table, missing permissions) become a {@link ConfigurationError}
 * that says what to set up; others are returned as they are.
 */
export function explainTableError(error: unknown, tableName: string): unknown {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'ResourceNotFoundException') {
    return new ConfigurationError(
      `Checkpoint table '${tableName}' does not exist: create it with DynamoDbStore.createTable(client, ` +
        `'${tableName}') or point DURABLE_TABLE at the right table.`,
    );
  }
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException') {
    return new ConfigurationError(
      `Access to checkpoint table '${tableName}' was denied (${name}): attach the generated IAM policy ` +
        `(generated/iam/<service>.json) to the function's role. ${(error as Error).message}`,
    );
  }
  return error;
}
