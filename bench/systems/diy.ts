/**
 * The hand-rolled baseline: what a team writes without a library. Each step goes through
 * `executeIdempotently(id, fn)`: a consistent GetItem of the step's key; when it is missing, run `fn`, then
 * PutItem its result. A resume (a Lambda retry after all N steps finished) runs the same loop again: N reads
 * that all hit, nothing runs, nothing is written.
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { localClient } from '../../test/support/dynamodb-servers.js';
import { endpointOf, type SystemBench, stepResult } from '../harness.js';
import { createIdTable } from '../tables.js';
import { idempotentStepRounds } from './idempotent-steps.js';

/** Runs `fn` once per `id`: returns the stored result when there is one. */
export async function executeIdempotently<T>(
  client: DynamoDBClient,
  tableName: string,
  id: string,
  fn: () => Promise<T>,
): Promise<T> {
  const found = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }),
  );
  const stored = found.Item?.result?.S;
  if (stored !== undefined) return JSON.parse(stored) as T;
  const result = await fn();
  await client.send(
    new PutItemCommand({ TableName: tableName, Item: { id: { S: id }, result: { S: JSON.stringify(result) } } }),
  );
  return result;
}

/** `diy` on either local DynamoDB server, with the client settings `durable` uses. */
export const diy: SystemBench = {
  system: 'diy',
  async setUp(job) {
    const client = localClient(endpointOf(job));
    const tableName = `diy-${randomUUID()}`;
    await createIdTable(client, tableName);
    return idempotentStepRounds(job, client, (executionId, i) =>
      executeIdempotently(client, tableName, `${executionId}#${i}`, async () => stepResult(i)),
    );
  },
};
