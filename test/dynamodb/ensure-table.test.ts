import { randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore, TableSchemaError } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';

/** A table made by hand, the way someone might have made one: keys and indexes as given. */
async function handMade(
  client: DynamoDBClient,
  keys: Array<{ name: string; type: 'S' | 'N'; key: 'HASH' | 'RANGE' }>,
  index?: { keys: Array<{ name: string; type: 'S' | 'N'; key: 'HASH' | 'RANGE' }>; projection: 'ALL' | 'KEYS_ONLY' },
): Promise<string> {
  const tableName = `hand-made-${randomUUID()}`;
  const all = [...keys, ...(index?.keys ?? [])];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        ...new Map(all.map((k) => [k.name, { AttributeName: k.name, AttributeType: k.type }])).values(),
      ],
      KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.key })),
      ...(index === undefined
        ? {}
        : {
            GlobalSecondaryIndexes: [
              {
                IndexName: 'resumable',
                KeySchema: index.keys.map((k) => ({ AttributeName: k.name, KeyType: k.key })),
                Projection: { ProjectionType: index.projection },
              },
            ],
          }),
    }),
  );
  return tableName;
}

const RIGHT_KEYS = [
  { name: 'pk', type: 'S', key: 'HASH' },
  { name: 'sk', type: 'S', key: 'RANGE' },
] as const;
const RIGHT_INDEX = [
  { name: 'duePk', type: 'S', key: 'HASH' },
  { name: 'dueAt', type: 'N', key: 'RANGE' },
] as const;

describe.each(['dynalite', 'dynamodb-local'] as const)('DynamoDbStore.ensureTable on %s', (server) => {
  const client = localClient(inject('dynamoDbEndpoints')[server]);
  afterAll(() => client.destroy());

  it('creates a missing table that then holds executions, and accepts it as it is the next time', async () => {
    const tableName = `ensured-${randomUUID()}`;
    expect(await DynamoDbStore.ensureTable(client, tableName)).toMatchObject({ tableName, created: true });
    expect(await DynamoDbStore.ensureTable(client, tableName)).toMatchObject({ tableName, created: false });
    const store = new DynamoDbStore({ client, tableName });
    const key = { service: 'ensured', executionId: 'e-1' };
    await store.claim({
      key,
      workflow: 'w',
      input: { serialized: '1', hash: 'h' },
      owner: 'o',
      now: 1,
      leaseExpiresAt: 2,
      timeoutAt: 3,
      expiresAt: 4_102_444_800_000,
    });
    expect((await store.getExecution(key))?.status).toBe('RUNNING');
  });

  it.each([
    ['other keys', [{ name: 'id', type: 'S', key: 'HASH' }] as const, RIGHT_INDEX, 'ALL', /its key is id:S:HASH/],
    [
      'a numeric sort key',
      [RIGHT_KEYS[0], { name: 'sk', type: 'N', key: 'RANGE' }] as const,
      RIGHT_INDEX,
      'ALL',
      /not pk/,
    ],
    ['no resumable index', RIGHT_KEYS, undefined, 'ALL', /no global secondary index 'resumable'/],
    ['an index that projects keys only', RIGHT_KEYS, RIGHT_INDEX, 'KEYS_ONLY', /projects KEYS_ONLY, not ALL/],
  ] as const)(
    'refuses a table with %s, naming it, and changes nothing',
    async (_what, keys, index, projection, says) => {
      const tableName = await handMade(
        client,
        [...keys],
        index === undefined ? undefined : { keys: [...index], projection },
      );
      const error = await DynamoDbStore.ensureTable(client, tableName).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(TableSchemaError);
      expect(error).toMatchObject({ code: 'TABLE_SCHEMA', tableName });
      expect((error as Error).message).toMatch(says);
    },
  );
});
