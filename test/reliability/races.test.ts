import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  DynamoDbStore,
  ExecutionBusyError,
  type ExecutionResult,
} from '../../packages/core/src/index.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { killRunningWorkers } from '../crash/spawn-worker.js';
import { hangingMarker } from '../crash/worker-protocol.js';
import { CHECKPOINT_MODES, checkpointModeOptions } from '../support/checkpoint-modes.js';
import { localClient } from '../support/dynamodb-servers.js';
import { InProcessLedger, type RunnerEffect } from './in-process-ledger.js';
import { expectEffectsOnce } from './ledger-effects.js';
import { expectFinishedJournal } from './ledger-journal.js';
import { LEDGER_SERVICE, LEDGER_STEPS, LedgerService, type SideEffect, uninterruptedOutput } from './ledger-service.js';
import { readLedgerEffects, startLedgerWorker, waitForLeaseExpiry } from './ledger-worker-process.js';
import { printFigures, reliabilitySettings } from './reliability-settings.js';

/**
 * Races: many invocations of one execution id at once, on DynamoDB Local.
 * Exactly one claims the execution and runs it; every other one is refused
 * with ExecutionBusyError or, once it finished, answers the recorded output;
 * each position is checkpointed once, each effect happens once.
 *
 * The invocations run in this process, each with its own handler and its own
 * DynamoDB client (as separate Lambda instances would have): separate
 * processes for 50 invocations would cost 50 × ~0.7 s of start-up CPU on a
 * 2-core machine. test/crash/concurrent-invocations.test.ts races 8 real
 * processes; the takeover race below starts from a real process's SIGKILL.
 *
 * In both checkpoint modes.
 */

const RACERS = reliabilitySettings.raceInvocations;
const ROUNDS = 3;
/** Long: no racer may take over a live racer's lease. */
const RACER_LEASE_MS = 60_000;
const PAUSE_MS = 2;
const INPUT = { ledger: 'races' };

describe.each(CHECKPOINT_MODES)(
  `races with $title: ${RACERS} concurrent invocations of one execution id on DynamoDB Local`,
  (mode) => {
    const client = testDynamoDbClient('dynamodb-local');
    const store = new DynamoDbStore({ client, tableName: TEST_TABLE });
    // Set up when this mode's tests start: an InProcessLedger installs the service's hooks for the whole process.
    let ledger: InProcessLedger;
    const reference = uninterruptedOutput(INPUT);
    const racerClients = Array.from({ length: RACERS }, () =>
      localClient(inject('dynamoDbEndpoints')['dynamodb-local']),
    );
    /** Final checkpoints written (conditional writes that landed), by execution and position. */
    const finalWrites = new Map<string, number>();
    let directory: string;
    const figures = {
      races: 0,
      invocations: 0,
      answeredOutput: 0,
      refusedBusy: 0,
      claimsWon: 0,
      takeoverRepeats: 0,
    };

    beforeAll(async () => {
      ledger = new InProcessLedger(PAUSE_MS);
      directory = await mkdtemp(join(tmpdir(), 'durable-races-'));
      // Warm instances: each racer's client has its connection and SDK set-up before the first race.
      await Promise.all(
        racerClients.map((racerClient) =>
          new DynamoDbStore({ client: racerClient, tableName: TEST_TABLE }).getExecution({
            service: LEDGER_SERVICE,
            executionId: 'warm-up',
          }),
        ),
      );
    });

    afterAll(async () => {
      await killRunningWorkers();
      await rm(directory, { recursive: true, force: true });
      for (const racerClient of racerClients) racerClient.destroy();
      printFigures(`races (${RACERS}-way, ${mode.title})`, figures);
    });

    /** The store as a racer uses it, noting every final checkpoint that lands. */
    const noteFinalWrites = (inner: CheckpointStore): CheckpointStore => ({
      claim: (request) => inner.claim(request),
      loadJournal: (key) => inner.loadJournal(key),
      writeOperation: async (key, record, expected) => {
        const outcome = await inner.writeOperation(key, record, expected);
        if (outcome.ok && (record.status === 'SUCCEEDED' || record.status === 'FAILED')) {
          const at = `${key.executionId}@${record.position}`;
          finalWrites.set(at, (finalWrites.get(at) ?? 0) + 1);
        }
        return outcome;
      },
      transition: (key, owner, to, now) => inner.transition(key, owner, to, now),
      requestResume: (key, resumeAt) => inner.requestResume(key, resumeAt),
      getExecution: (key) => inner.getExecution(key),
      listExecutions: (query) => inner.listExecutions(query),
      findResumable: (query) => inner.findResumable(query),
      repinExecution: (key, request) => inner.repinExecution(key, request),
    });

    /**
     * Fires every racer at the execution, half at once and half spread over
     * `spreadMs` (so some come while it runs and some after it finished), and
     * checks the outcomes: the reference output or ExecutionBusyError, nothing else.
     */
    const race = async (executionId: string, spreadMs: number): Promise<Set<number>> => {
      const runners = new Set<number>();
      const outcomes = await Promise.allSettled(
        racerClients.map((racerClient, i) => {
          const handler = createHandler(LedgerService, {
            store: noteFinalWrites(new DynamoDbStore({ client: racerClient, tableName: TEST_TABLE })),
            leaseMs: RACER_LEASE_MS,
            ...checkpointModeOptions(mode),
          });
          const { runner, result } = ledger.invoke(async (): Promise<ExecutionResult> => {
            if (i % 2 === 1) await delay(Math.random() * spreadMs);
            return handler({ executionId, input: INPUT });
          });
          runners.add(runner);
          return result;
        }),
      );
      figures.races += 1;
      figures.invocations += outcomes.length;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') {
          expect(outcome.value).toEqual({ status: 'SUCCEEDED', executionId, output: reference });
          figures.answeredOutput += 1;
        } else {
          expect(outcome.reason).toBeInstanceOf(ExecutionBusyError);
          expect(outcome.reason).toMatchObject({ code: 'EXECUTION_BUSY', retryable: true });
          figures.refusedBusy += 1;
        }
      }
      return runners;
    };

    const expectEachPositionWrittenOnce = (executionId: string, positions: number[]): void => {
      for (const position of positions) {
        expect(finalWrites.get(`${executionId}@${position}`), `position ${position}`).toBe(1);
      }
    };

    it(`a new execution: one of ${RACERS} runs it, the rest are refused or answer its output (${ROUNDS} rounds)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const executionId = `race-${randomUUID()}`;
        await race(executionId, 2_000);

        const effects = ledger.effectsOf(executionId);
        // One racer ran every step, once, in order.
        expect(effects.map((e) => e.step)).toEqual(Array.from({ length: LEDGER_STEPS }, (_, i) => i + 1));
        expect(new Set(effects.map((e) => e.runner)).size).toBe(1);
        expectEffectsOnce(executionId, effects, reference, new Set(), (e) => e.runner, mode);
        expectEachPositionWrittenOnce(
          executionId,
          Array.from({ length: LEDGER_STEPS }, (_, i) => i + 1),
        );
        await expectFinishedJournal(client, TEST_TABLE, executionId, reference);
        const record = await store.getExecution({ service: LEDGER_SERVICE, executionId });
        expect(record?.invocations, 'claims that took the lease').toBe(1);
        figures.claimsWon += record?.invocations ?? 0;
      }
    }, 120_000);

    it(`a run SIGKILLed inside step 7: once its lease expired, exactly one of ${RACERS} takes it over`, async () => {
      const executionId = `race-takeover-${randomUUID()}`;
      const key = { service: LEDGER_SERVICE, executionId };
      const sideEffectLog = join(directory, `${executionId}.jsonl`);
      const doomed = await startLedgerWorker({
        endpoint: inject('dynamoDbEndpoints')['dynamodb-local'],
        table: TEST_TABLE,
        executionId,
        ledger: INPUT.ledger,
        sideEffectLog,
        leaseMs: 200,
        pauseMs: 0,
        hangInStep: 7,
        mode,
      });
      doomed.release();
      await doomed.waitForLine(hangingMarker(7));
      expect((await doomed.kill()).signal).toBe('SIGKILL');
      const dead = await waitForLeaseExpiry(store, key);
      expect(dead?.status).toBe('RUNNING');
      expect(dead?.leaseOwner).toBeDefined();

      await race(executionId, 0);

      const effects: Array<SideEffect & { runner: number }> = [
        ...(await readLedgerEffects(sideEffectLog)).map((e) => ({ ...e, runner: e.pid })),
        ...ledger.effectsOf(executionId),
      ];
      const takers = new Set(ledger.effectsOf(executionId).map((e: RunnerEffect) => e.runner));
      expect(takers.size, 'racers that ran steps').toBe(1);
      const tally = expectEffectsOnce(executionId, effects, reference, new Set([doomed.pid]), (e) => e.runner, mode);
      // Step 7's effect happened in the dead run, before its checkpoint: the taker ran it again.
      expect(tally.atLeastOnceRepeats).toBe(1);
      figures.takeoverRepeats += tally.atLeastOnceRepeats;
      expectEachPositionWrittenOnce(
        executionId,
        Array.from({ length: LEDGER_STEPS - 6 }, (_, i) => i + 7),
      );
      await expectFinishedJournal(client, TEST_TABLE, executionId, reference);
      const record = await store.getExecution(key);
      expect(record?.invocations, 'the dead run, then exactly one racer').toBe(2);
      figures.claimsWon += 1;
    }, 120_000);
  },
);
