import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { DynamoDbStore, deserialize, isDurableError, type OperationRecord } from '../../packages/core/src/index.js';
import { META_SORT_KEY, operationSortKey, partitionKey } from '../../packages/core/src/stores/dynamodb/keys.js';
import { LEDGER_SERVICE, LEDGER_STEPS, type LedgerOutput, semanticsOf } from './ledger-service.js';

/**
 * The consistency checks of a ledger execution's journal, read straight from
 * the table (every item of its partition, so stray items show) and through
 * the store (the records the engine replays from).
 */

type Item = Record<string, AttributeValue>;

/** Every item of the execution's partition, in one consistent, paginated read. */
async function partitionItems(client: DynamoDBClient, table: string, executionId: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: partitionKey({ service: LEDGER_SERVICE, executionId }) } },
        ConsistentRead: true,
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

const positions = (count: number): string[] => Array.from({ length: count }, (_, i) => String(i + 1));

/** Checks one recorded step: its signature, and a final outcome the ledger allows at that position. */
function expectRecordedStep(record: OperationRecord, where: string, mayBeStarted: boolean): void {
  const step = Number(record.position);
  const isAtMostOnce = semanticsOf(step) === 'at-most-once';
  expect(record.kind, where).toBe('step');
  expect(record.name, where).toBe(isAtMostOnce ? 'charge' : 'record');
  if (record.status === 'STARTED') {
    expect(isAtMostOnce && mayBeStarted, `${where}: only the last, at-most-once step may be STARTED`).toBe(true);
    return;
  }
  if (record.status === 'FAILED') {
    // The one failure the ledger records: an at-most-once step interrupted by a crash.
    expect(isAtMostOnce, `${where}: a FAILED at-least-once step`).toBe(true);
    expect(isDurableError(deserialize(record.error ?? 'null'), 'STEP_INTERRUPTED'), where).toBe(true);
    return;
  }
  expect(record.status, where).toBe('SUCCEEDED');
}

/**
 * A finished execution: the meta item SUCCEEDED with `output` and no lease
 * left, positions 1..20 exactly once each (no other item in the partition),
 * every one final, and FAILED exactly where the output says it reconciled an
 * interrupted at-most-once step.
 */
export async function expectFinishedJournal(
  client: DynamoDBClient,
  table: string,
  executionId: string,
  output: LedgerOutput,
): Promise<void> {
  const where = `journal of ${executionId}`;
  const items = await partitionItems(client, table, executionId);
  const sortKeys = items.map((item) => item.sk?.S ?? '').sort();
  expect(sortKeys, where).toEqual([META_SORT_KEY, ...positions(LEDGER_STEPS).map(operationSortKey)].sort());
  const store = new DynamoDbStore({ client, tableName: table });
  const key = { service: LEDGER_SERVICE, executionId };
  const record = await store.getExecution(key);
  expect(record?.status, where).toBe('SUCCEEDED');
  expect(record?.leaseOwner, where).toBeUndefined();
  expect(record?.resumeAt, where).toBeUndefined();
  expect(deserialize(record?.output ?? 'null'), where).toEqual(output);
  const meta = items.find((item) => item.sk?.S === META_SORT_KEY);
  expect(meta?.duePk, `${where}: a finished execution left in the sweeper's index`).toBeUndefined();

  const journal = await store.loadJournal(key);
  expect(
    journal.map((r) => r.position),
    where,
  ).toEqual(positions(LEDGER_STEPS));
  for (const op of journal) expectRecordedStep(op, `${where}, position ${op.position}`, false);
  const failed = journal.filter((op) => op.status === 'FAILED').map((op) => Number(op.position));
  expect(failed, `${where}: FAILED positions vs the output's reconciled steps`).toEqual(output.interrupted);
}

/**
 * An execution part-way (after an invocation failed or was killed): positions
 * 1..k with no gap and nothing else in the partition, every one final except
 * that the last may be an at-most-once step STARTED. Returns k.
 *
 * With `isPipelined` a run may have died with checkpoint writes under way, of
 * which a later one landed and an earlier one did not: past the gap there may
 * then be records of at-least-once steps (which replay distrusts and runs
 * again), but none of an at-most-once step, nor beyond one (an at-most-once
 * step starts only once every earlier write has landed).
 */
export async function expectConsistentPrefix(
  client: DynamoDBClient,
  table: string,
  executionId: string,
  { isPipelined = false }: { isPipelined?: boolean } = {},
): Promise<number> {
  const where = `journal of ${executionId} (in progress)`;
  const store = new DynamoDbStore({ client, tableName: table });
  const sortKeysOf = (items: Item[]) => items.map((item) => item.sk?.S ?? '').sort();
  // The raw items and the parsed journal come from two reads: a dead run's last write, landing late, must not
  // fall between them. Read until the partition holds still around the journal read.
  let items = await partitionItems(client, table, executionId);
  let journal = await store.loadJournal({ service: LEDGER_SERVICE, executionId });
  for (let read = 0; read < 5; read++) {
    const again = await partitionItems(client, table, executionId);
    if (JSON.stringify(sortKeysOf(again)) === JSON.stringify(sortKeysOf(items))) break;
    items = again;
    journal = await store.loadJournal({ service: LEDGER_SERVICE, executionId });
  }
  // Killed before its first claim landed: nothing at all, which is consistent too.
  if (items.length === 0) return 0;
  let recorded = 0;
  while (recorded < journal.length && journal[recorded]?.position === String(recorded + 1)) recorded += 1;
  const prefix = journal.slice(0, recorded);
  const pastGap = journal.slice(recorded);
  expect(sortKeysOf(items), where).toEqual([META_SORT_KEY, ...journal.map((r) => operationSortKey(r.position))].sort());
  prefix.forEach((op, i) => {
    expectRecordedStep(op, `${where}, position ${op.position}`, i === recorded - 1);
  });
  if (!isPipelined) {
    expect(
      journal.map((r) => r.position),
      `${where}: a gap in the journal`,
    ).toEqual(positions(recorded));
    return recorded;
  }
  for (const op of pastGap) {
    const at = `${where}, position ${op.position} (past the gap after ${recorded})`;
    expectRecordedStep(op, at, false);
    for (let step = recorded + 1; step <= Number(op.position); step++) {
      expect(semanticsOf(step), `${at}: a checkpoint landed past an unrecorded at-most-once step`).toBe(
        'at-least-once',
      );
    }
  }
  return recorded;
}
