import { inject } from 'vitest';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { describeCheckpointStoreContract } from '../../packages/core/src/testing/checkpoint-store-contract.js';
import { localClient } from '../support/dynamodb-servers.js';

// The same contract MemoryStore passes, on both local DynamoDB servers.
for (const server of ['dynalite', 'dynamodb-local'] as const) {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  describeCheckpointStoreContract(
    `DynamoDbStore on ${server}`,
    () => new DynamoDbStore({ client, tableName: 'durable-test' }),
  );
}
