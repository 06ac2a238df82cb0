/**
 * The local DynamoDB servers of one bench run: dynalite in this process and DynamoDB Local (a JVM), started
 * once with test/support/dynamodb-servers.ts and warmed up before anything is measured. DynamoDB Local answers
 * its first few thousand requests several times slower than later ones (a PutItem: 7 ms after 500 requests,
 * 4 ms after 2,000, 1.5 ms after 5,000 on a 2-core machine, while the JVM compiles its hot paths): the rounds
 * of all jobs are interleaved, so what warming is left falls on every system alike, but it would still inflate
 * every figure.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../packages/core/src/index.js';
import { duePartition, operationSortKey, partitionKey } from '../packages/core/src/stores/dynamodb/keys.js';
import {
  type LocalDynamoDb,
  localClient,
  startDynalite,
  startDynamoDbLocal,
} from '../test/support/dynamodb-servers.js';

/** Warm-up requests for dynalite: JavaScript in this process, compiled by V8 within a few hundred calls. */
const DYNALITE_WARM_UP = 500;
/** Requests under way at once during a warm-up: the JIT counts calls, not time. */
const WARM_UP_CONCURRENCY = 4;

/**
 * Starts dynalite (warmed up while the JVM of DynamoDB Local starts) and DynamoDB Local, which the caller then
 * warms up with {@link warmUp}; stops what it started when that fails.
 */
export async function startServers(): Promise<LocalDynamoDb[]> {
  const started = await Promise.allSettled([
    startDynalite().then(async (server) => {
      await warmUp(server, DYNALITE_WARM_UP);
      return server;
    }),
    startDynamoDbLocal(),
  ]);
  const servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(servers.map((server) => server.stop()));
    throw failed.reason;
  }
  return servers;
}

/**
 * Sends `requests` requests to `server`, round-robin over the kinds the benchmarks use (conditional and plain
 * PutItem, consistent GetItem, conditional UpdateItem, Query) on a table shaped like `DynamoDbStore`'s
 * (composite key and a global secondary index). About 5,000 bring DynamoDB Local's PutItem to its steady speed.
 */
export async function warmUp(server: LocalDynamoDb, requests: number): Promise<void> {
  const client = localClient(server.endpoint);
  const tableName = `warm-up-${randomUUID()}`;
  try {
    // The checkpoint table itself: the same key schema and index the measured runs use.
    await DynamoDbStore.createTable(client, tableName);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < requests; i = next++) {
        // Requests under way at once may reach one key out of order: a refused condition is part of the mix.
        await warmUpRequest(client, tableName, i).catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
      }
    };
    await Promise.all(Array.from({ length: WARM_UP_CONCURRENCY }, worker));
  } finally {
    client.destroy();
  }
}

/** Request `i` of the warm-up: partitions of 20 items, each written, read, updated and queried. */
async function warmUpRequest(client: DynamoDBClient, TableName: string, i: number): Promise<void> {
  const execution = { service: 'warm-up', executionId: String(Math.floor(i / 100)) };
  const key = { pk: { S: partitionKey(execution) }, sk: { S: operationSortKey(String(Math.floor(i / 5) % 20)) } };
  const result = { S: 'result of a warm-up request'.padEnd(40, '.') };
  switch (i % 5) {
    case 0:
      await client.send(
        new PutItemCommand({
          TableName,
          Item: { ...key, status: { S: 'SUCCEEDED' }, result },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return;
    case 1:
      await client.send(new GetItemCommand({ TableName, Key: key, ConsistentRead: true }));
      return;
    case 2:
      await client.send(
        new UpdateItemCommand({
          TableName,
          Key: key,
          UpdateExpression: 'SET #status = :done, duePk = :due, dueAt = :at',
          ConditionExpression: '#status = :succeeded',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':done': { S: 'DONE' },
            ':succeeded': { S: 'SUCCEEDED' },
            ':due': { S: duePartition('warm-up') },
            ':at': { N: String(i) },
          },
        }),
      );
      return;
    case 3:
      await client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': key.pk },
          ConsistentRead: true,
        }),
      );
      return;
    default:
      await client.send(new PutItemCommand({ TableName, Item: { ...key, sk: { S: `plain#${i}` }, result } }));
  }
}
