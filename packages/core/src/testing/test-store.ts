import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { DynamoDbStore } from '../stores/dynamodb/dynamodb-store.js';
import { MemoryStore } from '../stores/memory-store.js';
import './provided-context.js';

/** Which store the engine suites run on: set per vitest project (`memory`, `dynalite`, `dynamodb-local`). */
export type TestStoreKind = 'memory' | 'dynalite' | 'dynamodb-local';

export const TEST_TABLE = 'durable-test';

/** The store kind of this test run. */
export function testStoreKind(): TestStoreKind {
  const kind = process.env.DURABLE_TEST_STORE ?? 'memory';
  if (kind !== 'memory' && kind !== 'dynalite' && kind !== 'dynamodb-local') {
    throw new Error(`DURABLE_TEST_STORE must be memory, dynalite or dynamodb-local (got '${kind}')`);
  }
  return kind;
}

const clients = new Map<string, DynamoDBClient>();

/** A client for the local DynamoDB server of this run (started by test/support/dynamodb-global-setup.ts). */
export function testDynamoDbClient(kind: Exclude<TestStoreKind, 'memory'>): DynamoDBClient {
  let client = clients.get(kind);
  if (client === undefined) {
    client = new DynamoDBClient({
      endpoint: inject('dynamoDbEndpoints')[kind],
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    clients.set(kind, client);
  }
  return client;
}

let tables = 0;

/**
 * A fresh, empty store of the kind this run tests. On DynamoDB each store gets
 * a table of its own, created on first use, so suites written against a new
 * MemoryStore run unchanged (fixed ids, listings) while files run in parallel.
 */
export function testStore(): CheckpointStore {
  const kind = testStoreKind();
  if (kind === 'memory') return new MemoryStore();
  const client = testDynamoDbClient(kind);
  const tableName = `t-${process.pid}-${++tables}-${Date.now().toString(36)}`;
  let ready: Promise<CheckpointStore> | undefined;
  const store = () =>
    (ready ??= DynamoDbStore.createTable(client, tableName).then(() => new DynamoDbStore({ client, tableName })));
  return new Proxy({} as CheckpointStore, {
    get:
      (_target, method: keyof CheckpointStore) =>
      async (...args: unknown[]) => {
        const target = await store();
        return (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      },
  });
}
