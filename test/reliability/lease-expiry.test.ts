import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  ExecutionBusyError,
  type Logger,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { ManualClock } from '../../packages/core/src/testing/clock.js';
import { testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { killRunningWorkers } from '../crash/spawn-worker.js';
import { hangingMarker } from '../crash/worker-protocol.js';
import { CHECKPOINT_MODES, checkpointModeOptions } from '../support/checkpoint-modes.js';
import { waitForJournal } from '../support/wait-for-journal.js';
import { InProcessLedger } from './in-process-ledger.js';
import { expectEffectsOnce } from './ledger-effects.js';
import { expectConsistentPrefix, expectFinishedJournal } from './ledger-journal.js';
import { LEDGER_SERVICE, LedgerService, type SideEffect, uninterruptedOutput } from './ledger-service.js';
import { readLedgerEffects, startLedgerWorker, waitForLeaseExpiry } from './ledger-worker-process.js';
import { printFigures } from './reliability-settings.js';

/**
 * Lease expiry and the sweeper: an invocation that dies
 * holding the lease blocks others only until the lease expires; then the next
 * invocation resumes it. The sweeper's query (`findResumable`, on the
 * `resumable` index) finds a RUNNING execution whose lease expired and a
 * SUSPENDED one whose `resumeAt` passed, and nothing before that; re-invoking
 * what it found (with the id alone, as the sweeper does) finishes each.
 *
 * In both checkpoint modes, each with a table of its own, so the sweeper's
 * answers can be compared exactly.
 */

const SWEEPER_SERVICE = 'reliability-sweeper';
const NAP = { minutes: 5 };
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

@DurableService({ name: SWEEPER_SERVICE })
class NapService {
  @Workflow()
  async nap(ctx: DurableContext, input: { name: string }): Promise<string[]> {
    const before = await this.stamp(`${input.name}:before`);
    await ctx.sleep('cool-down', NAP);
    const after = await this.stamp(`${input.name}:after`);
    return [before, after];
  }

  @Step()
  async stamp(text: string): Promise<string> {
    return text.toUpperCase();
  }
}

describe.each(CHECKPOINT_MODES)('lease expiry and the sweeper query with $title, on DynamoDB Local', (mode) => {
  const client = testDynamoDbClient('dynamodb-local');
  const table = `sweeper-${randomUUID()}`;
  const store = new DynamoDbStore({ client, tableName: table });
  // Set up when this mode's tests start: an InProcessLedger installs the service's hooks for the whole process.
  let ledger: InProcessLedger;
  let directory: string;
  const figures = { killedHoldingLease: 0, refusedWhileLeased: 0, foundBySweeper: { RUNNING: 0, SUSPENDED: 0 } };

  beforeAll(async () => {
    ledger = new InProcessLedger(0);
    directory = await mkdtemp(join(tmpdir(), 'durable-lease-'));
    await DynamoDbStore.createTable(client, table);
  });

  afterAll(async () => {
    await killRunningWorkers();
    await rm(directory, { recursive: true, force: true });
    printFigures(`lease expiry (${mode.title})`, figures);
  });

  const sweep = async (service: string, now: number) =>
    (await store.findResumable({ service, now, limit: 10 })).map((r) => [r.executionId, r.status]);

  it('an invocation SIGKILLed holding the lease: refused until it expires, then found by the sweeper and finished', async () => {
    const executionId = `lease-${randomUUID()}`;
    const key = { service: LEDGER_SERVICE, executionId };
    const input = { ledger: 'lease-expiry' };
    const sideEffectLog = join(directory, `${executionId}.jsonl`);
    const doomed = await startLedgerWorker({
      endpoint: inject('dynamoDbEndpoints')['dynamodb-local'],
      table,
      executionId,
      ledger: input.ledger,
      sideEffectLog,
      leaseMs: 500,
      pauseMs: 0,
      hangInStep: 5,
      mode,
    });
    doomed.release();
    await doomed.waitForLine(hangingMarker(5));
    // Strict checkpoints: steps 1-4 are recorded before step 5 starts. Pipelined, step 4's may still be under
    // way while step 5 hangs: kill once it has landed, so that the dead run holds the lease with 1-4 recorded.
    if (mode.isPipelined) await waitForJournal(store, key, (positions) => positions.length >= 4);
    expect((await doomed.kill()).signal).toBe('SIGKILL');
    figures.killedHoldingLease += 1;

    const dead = await store.getExecution(key);
    expect(dead?.status).toBe('RUNNING');
    expect(dead?.leaseOwner).toBeDefined();
    const leaseExpiresAt = dead?.leaseExpiresAt ?? Number.NaN;
    expect(await expectConsistentPrefix(client, table, executionId)).toBe(4);

    // While the lease is live (by the clock of the invocation, and of the sweeper), nothing takes it.
    expect(await sweep(LEDGER_SERVICE, leaseExpiresAt - 1)).toEqual([]);
    const early = createHandler(LedgerService, {
      store,
      now: () => leaseExpiresAt - 1,
      logger: silent,
      ...checkpointModeOptions(mode),
    });
    const refusal = await early({ executionId, input }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(refusal).toBeInstanceOf(ExecutionBusyError);
    expect(refusal).toMatchObject({ code: 'EXECUTION_BUSY', retryable: true, leaseExpiresAt });
    figures.refusedWhileLeased += 1;

    // Once it expired the sweeper finds it, and re-invoking what it found (the id alone) finishes it.
    await waitForLeaseExpiry(store, key);
    const found = await store.findResumable({ service: LEDGER_SERVICE, now: Date.now(), limit: 10 });
    expect(found.map((r) => [r.executionId, r.status, r.leaseExpiresAt])).toEqual([
      [executionId, 'RUNNING', leaseExpiresAt],
    ]);
    figures.foundBySweeper.RUNNING += found.length;
    const handler = createHandler(LedgerService, { store, logger: silent, ...checkpointModeOptions(mode) });
    const reference = uninterruptedOutput(input);
    for (const record of found) {
      const { result } = ledger.invoke(() => handler({ executionId: record.executionId }));
      expect(await result).toEqual({ status: 'SUCCEEDED', executionId, output: reference });
    }

    await expectFinishedJournal(client, table, executionId, reference);
    const effects: Array<SideEffect & { runner: number }> = [
      ...(await readLedgerEffects(sideEffectLog)).map((e) => ({ ...e, runner: e.pid })),
      ...ledger.effectsOf(executionId),
    ];
    const tally = expectEffectsOnce(executionId, effects, reference, new Set([doomed.pid]), (e) => e.runner, mode);
    expect(tally.atLeastOnceRepeats, 'step 5, whose effect the dead run did before its checkpoint').toBe(1);
    expect(await sweep(LEDGER_SERVICE, Date.now() + 86_400_000)).toEqual([]);
  }, 60_000);

  it('a SUSPENDED execution is found by the sweeper once its resumeAt passed, and re-invoking it finishes it', async () => {
    const clock = new ManualClock();
    const handler = createHandler(NapService, {
      store,
      now: clock.now,
      maxInProcessWaitMs: 1_000,
      logger: silent,
      ...checkpointModeOptions(mode),
    });
    const executionId = `nap-${randomUUID()}`;
    const suspended = await handler({ executionId, input: { name: 'nap' } });
    const resumeAt = clock.now() + NAP.minutes * 60_000;
    expect(suspended).toEqual({ status: 'SUSPENDED', executionId, resumeAt });
    const record = await store.getExecution({ service: SWEEPER_SERVICE, executionId });
    expect(record).toMatchObject({ status: 'SUSPENDED', resumeAt });
    expect(record?.leaseOwner).toBeUndefined();

    expect(await sweep(SWEEPER_SERVICE, resumeAt - 1)).toEqual([]);
    const found = await store.findResumable({ service: SWEEPER_SERVICE, now: resumeAt, limit: 10 });
    expect(found.map((r) => [r.executionId, r.status, r.resumeAt])).toEqual([[executionId, 'SUSPENDED', resumeAt]]);
    figures.foundBySweeper.SUSPENDED += found.length;

    clock.advance(NAP.minutes * 60_000);
    for (const due of found) {
      expect(await handler({ executionId: due.executionId })).toEqual({
        status: 'SUCCEEDED',
        executionId,
        output: ['NAP:BEFORE', 'NAP:AFTER'],
      });
    }
    const journal = await store.loadJournal({ service: SWEEPER_SERVICE, executionId });
    expect(journal.map((r) => [r.position, r.kind, r.status])).toEqual([
      ['1', 'step', 'SUCCEEDED'],
      ['2', 'sleep', 'STARTED'],
      ['3', 'step', 'SUCCEEDED'],
    ]);
    expect(await sweep(SWEEPER_SERVICE, resumeAt + 86_400_000)).toEqual([]);
  }, 60_000);
});
