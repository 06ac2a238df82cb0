import type { TestProject } from 'vitest/node';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import '../../packages/core/src/testing/provided-context.js';
import { localClient, startDynalite, startDynamoDbLocal } from './dynamodb-servers.js';

/** The table every DynamoDB test shares; tests keep apart by unique execution ids and service names. */
export const TEST_TABLE = 'durable-test';

/**
 * Starts dynalite (in this process) and DynamoDB Local (a Java child process)
 * once for the whole run, creates the test table on each, and stops both at
 * the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const servers = await Promise.all([startDynalite(), startDynamoDbLocal()]);
  for (const server of servers) {
    const client = localClient(server.endpoint);
    await DynamoDbStore.createTable(client, TEST_TABLE);
    client.destroy();
  }
  project.provide('dynamoDbEndpoints', {
    dynalite: servers[0].endpoint,
    'dynamodb-local': servers[1].endpoint,
  });
  return async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
}
