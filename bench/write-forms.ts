/**
 * What a step's checkpoint write costs on dynalite in each form of its condition: `npx tsx --tsconfig
 * tsconfig.base.json bench/write-forms.ts`. dynalite runs in this process, so the CPU time per write is the
 * client's and the server's together. Why it matters: DynamoDbStore writes a step's record with "only if
 * nothing stands there", and dynalite (the embedded local store) parses a ConditionExpression with a generated
 * parser on every request; the legacy `Expected` form of the same condition skips it. DynamoDB treats both
 * alike.
 */
import { randomUUID } from 'node:crypto';
import { PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from '../packages/core/src/index.js';
import { operationSortKey, partitionKey } from '../packages/core/src/stores/dynamodb/keys.js';
import { localClient, startDynalite } from '../test/support/dynamodb-servers.js';
import { median } from './harness.js';

const WRITES = 400;
const ROUNDS = 7;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const server = await startDynalite();
const client = localClient(server.endpoint);
const tableName = `write-forms-${randomUUID()}`;
await DynamoDbStore.createTable(client, tableName);

/** A record shaped like DynamoDbStore's step record, with a 40-byte result. */
const item = (i: number): PutItemCommandInput['Item'] => ({
  pk: { S: partitionKey({ service: 'bench', executionId: randomUUID() }) },
  sk: { S: operationSortKey('1') },
  position: { S: '1' },
  kind: { S: 'step' },
  name: { S: 'step' },
  argsHash: { S: 'KZ0cFhOf3kIl0n5BRHw2hQ' },
  status: { S: 'SUCCEEDED' },
  attempt: { N: '1' },
  updatedAt: { N: String(Date.now()) },
  expiresAt: { N: String(Math.floor(Date.now() / 1000)) },
  result: { S: JSON.stringify(`result of step ${i}`.padEnd(40, '.')) },
});

const forms: Record<string, (i: number) => PutItemCommandInput> = {
  'ConditionExpression attribute_not_exists(pk)': (i) => ({
    TableName: tableName,
    Item: item(i),
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }),
  'Expected { pk: { Exists: false } } (DynamoDbStore)': (i) => ({
    TableName: tableName,
    Item: item(i),
    Expected: { pk: { Exists: false } },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }),
  'no condition (for reference)': (i) => ({ TableName: tableName, Item: item(i) }),
};

const figures = new Map<string, { ms: number[]; cpu: number[] }>();
try {
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [form, input] of Object.entries(forms)) {
      const startedCpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < WRITES; i++) await client.send(new PutItemCommand(input(i)));
      const cpu = process.cpuUsage(startedCpu);
      // Round 0 warms the JIT up.
      if (round === 0) continue;
      const figure = figures.get(form) ?? { ms: [], cpu: [] };
      figure.ms.push((performance.now() - started) / WRITES);
      figure.cpu.push((cpu.user + cpu.system) / 1000 / WRITES);
      figures.set(form, figure);
    }
  }
} finally {
  client.destroy();
  await server.stop();
}

console.log(
  `\n| condition form (dynalite in this process, median of ${ROUNDS} × ${WRITES} writes) | ms/write | CPU ms/write |`,
);
console.log('|---|---:|---:|');
for (const [form, { ms, cpu }] of figures) {
  console.log(`| ${form} | ${median(ms).toFixed(3)} | ${median(cpu).toFixed(3)} |`);
}
