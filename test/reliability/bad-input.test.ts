import { randomBytes, randomUUID } from 'node:crypto';
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableError,
  DurableService,
  DynamoDbStore,
  deserialize,
  type Logger,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { type BadCase, badCase, oddJsonValue, oddValidId, SEEDED, SMALL_PAYLOAD_BYTES } from './bad-events.js';
import { printFigures, reliabilitySettings } from './reliability-settings.js';

/**
 * Bad input, fuzzed: malformed events, wrong types and shapes, unknown
 * workflows, unrecordable, cyclic, oversized and too deeply nested inputs,
 * odd Unicode in ids. Each must be refused with a DurableError of the
 * category's stable code, and leave the store exactly as it was: a full Scan
 * of a table of its own (holding a seeded execution) after every case equals
 * the one before the first. Valid but odd Unicode (in ids, keys and values,
 * lone surrogates and control characters included) round-trips exactly
 * through DynamoDB Local.
 */

const CASES = reliabilitySettings.fuzzCases;
const ROUND_TRIPS = Math.max(20, Math.round(CASES / 10));
const BAD_CASES = CASES - ROUND_TRIPS;

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

@DurableService({ name: 'reliability-fuzz' })
class FuzzService {
  @Workflow()
  async echo(_ctx: DurableContext, input: unknown): Promise<{ input: unknown; kept: unknown }> {
    const kept = await this.keep(input);
    return { input, kept };
  }

  @Workflow()
  async other(_ctx: DurableContext, input: unknown): Promise<unknown> {
    return input;
  }

  @Step()
  async keep(value: unknown): Promise<unknown> {
    return value;
  }
}

type Item = Record<string, AttributeValue>;

/** Every item of the table, in key order: what "the store is unchanged" compares. */
async function scanTable(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const keyOf = (item: Item) => `${item.pk?.S}\u0000${item.sk?.S}`;
  return items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

describe('bad input, fuzzed with fast-check, against DynamoDB Local', () => {
  const client = testDynamoDbClient('dynamodb-local');
  const badTable = `fuzz-bad-${randomUUID()}`;
  const roundTripTable = `fuzz-round-trip-${randomUUID()}`;
  const handlerOn = (table: string, maxPayloadBytes?: number) =>
    createHandler(FuzzService, {
      store: new DynamoDbStore({ client, tableName: table }),
      logger: silent,
      ...(maxPayloadBytes === undefined ? {} : { maxPayloadBytes }),
    });
  const handlers = { standard: handlerOn(badTable), small: handlerOn(badTable, SMALL_PAYLOAD_BYTES) };
  let baseline: Item[];
  const figures = {
    badCases: 0,
    roundTrips: 0,
    byCode: {} as Record<string, number>,
    byCategory: {} as Record<string, number>,
    targetedCases: 0,
    orphanChunksLeftByRefusedClaim: 0,
  };

  beforeAll(async () => {
    await DynamoDbStore.createTable(client, badTable);
    await DynamoDbStore.createTable(client, roundTripTable);
    await handlers.standard({ executionId: SEEDED.executionId, workflow: 'echo', input: SEEDED.input });
    baseline = await scanTable(client, badTable);
    expect(baseline.length).toBeGreaterThan(0);
  });

  afterAll(() => {
    printFigures('bad input (fast-check)', {
      fuzzCases: figures.badCases + figures.roundTrips,
      ...figures,
    });
  });

  /** Sends a bad event and checks the refusal: a DurableError with the expected, stable code; nothing written. */
  const expectRefused = async (badEvent: BadCase): Promise<void> => {
    const error = await handlers[badEvent.handler](badEvent.event).then(
      (answer) => ({ accepted: answer }),
      (thrown: unknown) => thrown,
    );
    expect(error, `${badEvent.category}: not refused with a DurableError`).toBeInstanceOf(DurableError);
    const { code, message } = error as DurableError;
    expect(code, `${badEvent.category}: ${message}`).toBe(badEvent.code);
    // Stable: the instance's code is its class's.
    expect(((error as DurableError).constructor as { code?: string }).code).toBe(code);
    expect(message.length).toBeGreaterThan(20);
    expect(await scanTable(client, badTable), `${badEvent.category}: the store changed`).toEqual(baseline);
    figures.byCode[code] = (figures.byCode[code] ?? 0) + 1;
  };

  it(
    `refuses ${BAD_CASES} generated bad events with typed errors and leaves the store unchanged`,
    async () => {
      await fc.assert(
        fc.asyncProperty(badCase, async (badEvent) => {
          figures.badCases += 1;
          figures.byCategory[badEvent.category] = (figures.byCategory[badEvent.category] ?? 0) + 1;
          await expectRefused(badEvent);
        }),
        { numRuns: BAD_CASES },
      );
    },
    60_000 + BAD_CASES * 40,
  );

  it('refuses an input over the default 2 MiB limit and writes nothing', async () => {
    figures.targetedCases += 1;
    await expectRefused({
      category: 'input over the default 2 MiB',
      code: 'PAYLOAD_TOO_LARGE',
      handler: 'standard',
      event: { executionId: 'too-large', workflow: 'echo', input: 'x'.repeat(2 * 1024 * 1024) },
    });
  }, 60_000);

  it('refuses a chunk-sized input that reuses an id, leaving the existing execution intact', async () => {
    figures.targetedCases += 1;
    const before = await scanTable(client, badTable);
    // Incompressible and over an item's budget: the store writes such an input as chunk items.
    const event = {
      executionId: SEEDED.executionId,
      workflow: 'echo',
      input: { blob: randomBytes(600 * 1024).toString('base64') },
    };
    const error = await handlers.standard(event).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DurableError);
    expect((error as DurableError).code).toBe('EXECUTION_CONFLICT');
    // Bad input writes nothing: a refused event writes nothing, not even the chunks of its large input.
    const after = await scanTable(client, badTable);
    expect(after).toEqual(before);
    const added = after.length - before.length;
    figures.orphanChunksLeftByRefusedClaim = added;
  }, 60_000);

  it(
    `round-trips ${ROUND_TRIPS} odd Unicode ids and values exactly`,
    async () => {
      const handler = handlerOn(roundTripTable);
      const store = new DynamoDbStore({ client, tableName: roundTripTable });
      let serial = 0;
      await fc.assert(
        fc.asyncProperty(oddValidId, oddJsonValue, async (id, value) => {
          figures.roundTrips += 1;
          serial += 1;
          const executionId = `${id}#${serial}`;
          const event = { executionId, workflow: 'echo', input: value };
          const expected = { status: 'SUCCEEDED', executionId, output: { input: value, kept: value } };
          expect(await handler(event)).toStrictEqual(expected);
          // Answered from the store this time: the recorded output, read back from DynamoDB.
          expect(await handler(event)).toStrictEqual(expected);
          const key = { service: 'reliability-fuzz', executionId };
          const record = await store.getExecution(key);
          expect(record?.executionId === executionId).toBe(true);
          expect(deserialize(record?.input ?? 'null')).toStrictEqual(value);
          const journal = await store.loadJournal(key);
          expect(journal.map((r) => [r.position, r.status])).toEqual([['1', 'SUCCEEDED']]);
          expect(deserialize(journal[0]?.result ?? 'null')).toStrictEqual(value);
        }),
        { numRuns: ROUND_TRIPS },
      );
    },
    60_000 + ROUND_TRIPS * 100,
  );
});
