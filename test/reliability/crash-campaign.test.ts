import { randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore, type ExecutionKey } from '../../packages/core/src/index.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { killRunningWorkers, lastJsonLine, type Worker } from '../crash/spawn-worker.js';
import { EXIT_BUSY } from '../crash/worker-protocol.js';
import { CHECKPOINT_MODES } from '../support/checkpoint-modes.js';
import { addTally, emptyTally, expectEffectsOnce } from './ledger-effects.js';
import { expectConsistentPrefix, expectFinishedJournal } from './ledger-journal.js';
import {
  LEDGER_SERVICE,
  LEDGER_STEPS,
  type LedgerInput,
  type LedgerOutput,
  uninterruptedOutput,
} from './ledger-service.js';
import { effectMarker, readLedgerEffects, startLedgerWorker, waitForLeaseExpiry } from './ledger-worker-process.js';
import { printFigures, reliabilitySettings } from './reliability-settings.js';

/**
 * The crash campaign: real worker processes run the 20-step ledger on
 * DynamoDB Local and are SIGKILLed at random points, wherever they are
 * (claiming, replaying, inside a step before or after its side effect,
 * writing a checkpoint, finishing): a random step's effect marker, then a
 * random fraction of a step's time. Each execution is rerun, once the dead
 * run's lease has expired, until it finishes. Then: every step's effect
 * happened once, except an at-least-once step whose run died after the effect
 * and before its checkpoint was durable (with strict checkpoints, the default,
 * only the step in flight; pipelined, also those whose writes were under way);
 * no at-most-once step ran twice; every output equals an uninterrupted run's;
 * every journal is consistent, also right after each kill.
 *
 * The campaign runs in both checkpoint modes, half of the kills each.
 *
 * Several executions run side by side (lanes), so the lease waits after the
 * kills overlap; the next worker of an execution loads while the dead one's
 * lease runs out.
 */

/** Kills in each checkpoint mode. */
const KILLS = Math.ceil(reliabilitySettings.kills / CHECKPOINT_MODES.length);
const LANES = Math.min(8, Math.max(2, Math.ceil(KILLS / 5)));
/** Kills one execution takes at most before it may finish (drawn per execution, 1..this). */
const MAX_KILLS_PER_EXECUTION = 5;
/** Short, so reruns wait little; the engine adds its 2 s grace to every lease. */
const LEASE_MS = 200;
/** Longest pause before and after each side effect: the steps take a few ms, so kills land inside them. */
const PAUSE_MS = 4;
/** Time for a dead worker's last request, if the server had it, to land before the parent looks. */
const SETTLE_MS = 100;
const INPUT: LedgerInput = { ledger: 'crash-campaign' };

type KillPoint =
  | 'before any new step'
  | 'inside an at-most-once step, before its effect'
  | 'after a side effect, before its checkpoint'
  | 'between steps';

describe.each(CHECKPOINT_MODES)(
  'crash campaign with $title: random SIGKILLs during 20-step executions on DynamoDB Local',
  (mode) => {
    const endpoint = inject('dynamoDbEndpoints')['dynamodb-local'];
    const client = testDynamoDbClient('dynamodb-local');
    const store = new DynamoDbStore({ client, tableName: TEST_TABLE });
    let directory: string;
    const reference = uninterruptedOutput(INPUT);
    /** Measured by the reference run. */
    let msPerStep = 10;

    const figures = {
      kills: 0,
      executions: 0,
      workerRuns: 0,
      busyReruns: 0,
      mostKillsOnOneExecution: 0,
      killPoints: {} as Partial<Record<KillPoint, number>>,
      repeats: emptyTally(),
      referenceRunMs: 0,
    };

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'durable-campaign-'));
    });

    afterAll(async () => {
      await killRunningWorkers();
      await rm(directory, { recursive: true, force: true });
      const { repeats, ...counts } = figures;
      printFigures(`crash campaign (${mode.title})`, {
        ...counts,
        msPerStep: Math.round(msPerStep),
        repeatsByKind: { 'at-least-once': repeats.atLeastOnceRepeats, 'at-most-once': repeats.atMostOnceRepeats },
        interruptedAtMostOnceSteps: {
          killedAfterEffect: repeats.interruptedAfterEffect,
          killedBeforeEffect: repeats.interruptedBeforeEffect,
        },
      });
    });

    const logOf = (executionId: string) => join(directory, `${executionId}.jsonl`);
    const startWorkerFor = (executionId: string) => {
      figures.workerRuns += 1;
      return startLedgerWorker({
        endpoint,
        table: TEST_TABLE,
        executionId,
        ledger: INPUT.ledger,
        sideEffectLog: logOf(executionId),
        leaseMs: LEASE_MS,
        pauseMs: PAUSE_MS,
        mode,
      });
    };

    it('an uninterrupted run gives the reference output, each effect once', async () => {
      const executionId = `campaign-reference-${randomUUID()}`;
      const worker = await startWorkerFor(executionId);
      const startedAt = Date.now();
      worker.release();
      await worker.waitForLine(effectMarker(1));
      const firstEffectAt = Date.now();
      await worker.waitForLine(effectMarker(LEDGER_STEPS));
      // The time of one step with its checkpoint: how far past an effect marker the kills spread.
      msPerStep = (Date.now() - firstEffectAt) / (LEDGER_STEPS - 1);
      const exit = await worker.exited();
      figures.referenceRunMs = Date.now() - startedAt;
      expect(exit.code, exit.stderr).toBe(0);
      expect(lastJsonLine(exit.stdout)).toEqual({ status: 'SUCCEEDED', executionId, output: reference });
      const effects = await readLedgerEffects(logOf(executionId));
      expect(effects.map((e) => e.step)).toEqual(Array.from({ length: LEDGER_STEPS }, (_, i) => i + 1));
      expect(new Set(effects.map((e) => e.pid))).toEqual(new Set([worker.pid]));
      await expectFinishedJournal(client, TEST_TABLE, executionId, reference);
    }, 60_000);

    it(
      `survives ${KILLS} SIGKILLs: effects once (bar allowed repeats), reference outputs, consistent journals`,
      async () => {
        let armed = 0;
        /** Arms a kill for the next run if the campaign still needs one. */
        const armKill = (): boolean => {
          if (figures.kills + armed >= KILLS) return false;
          armed += 1;
          return true;
        };

        /** Where the killed worker was, judged from its effects and the journal (informational). */
        const killPoint = async (key: ExecutionKey, pid: number): Promise<KillPoint> => {
          const effects = (await readLedgerEffects(logOf(key.executionId))).filter((e) => e.pid === pid);
          const journal = await store.loadJournal(key);
          const last = journal.at(-1);
          const lastEffect = effects.at(-1);
          if (last?.status === 'STARTED' && lastEffect?.step !== Number(last.position)) {
            return 'inside an at-most-once step, before its effect';
          }
          if (lastEffect === undefined) return 'before any new step';
          const checkpoint = journal.find((r) => r.position === String(lastEffect.step));
          return checkpoint === undefined || checkpoint.status === 'STARTED'
            ? 'after a side effect, before its checkpoint'
            : 'between steps';
        };

        /**
         * SIGKILLs a released worker at a random point: before its first new step (claiming, loading,
         * replaying), or up to a step's length after the side effect of a random new step (so inside that
         * step, during its checkpoint, or early in the next). Aimed by the worker's effect markers, so the
         * kill lands inside the run however loaded the machine is. False if the worker finished first.
         */
        const killSomewhere = async (current: Worker, recorded: number): Promise<boolean> => {
          const target = randomInt(recorded, LEDGER_STEPS + 1);
          if (target > recorded) {
            const reached = await current.waitForLine(effectMarker(target)).then(
              () => true,
              () => false,
            );
            if (!reached) return false;
          }
          await delay(Math.random() * msPerStep * (target > recorded ? 1.2 : 3));
          return (await current.kill()).signal === 'SIGKILL';
        };

        /** Runs one execution, killing up to `killsAllowed` of its runs, until a run finishes it. */
        const runUntilFinished = async (executionId: string, killsAllowed: number): Promise<void> => {
          const key = { service: LEDGER_SERVICE, executionId };
          const killedPids = new Set<number>();
          let worker: Worker = await startWorkerFor(executionId);
          let output: LedgerOutput | undefined;
          while (output === undefined) {
            await waitForLeaseExpiry(store, key);
            const isArmed = killedPids.size < killsAllowed && armKill();
            const recorded = (await store.loadJournal(key)).length;
            const current = worker;
            current.release();
            let killed = false;
            if (isArmed) {
              killed = await killSomewhere(current, recorded);
              armed -= 1;
            }
            if (killed) {
              figures.kills += 1;
              killedPids.add(current.pid);
              const next = startWorkerFor(executionId);
              await delay(SETTLE_MS);
              const point = await killPoint(key, current.pid);
              figures.killPoints[point] = (figures.killPoints[point] ?? 0) + 1;
              await expectConsistentPrefix(client, TEST_TABLE, executionId, mode);
              worker = await next;
              continue;
            }
            const exit = await current.exited();
            if (exit.code === EXIT_BUSY) {
              // A dead run's last write landed after the lease was read: wait for the lease again.
              figures.busyReruns += 1;
              worker = await startWorkerFor(executionId);
              continue;
            }
            expect(exit.code, exit.stderr).toBe(0);
            const result = lastJsonLine(exit.stdout) as { status: string; output: LedgerOutput };
            expect(result.status).toBe('SUCCEEDED');
            output = result.output;
          }

          expect(output.entries).toEqual(reference.entries);
          await expectFinishedJournal(client, TEST_TABLE, executionId, output);
          const effects = await readLedgerEffects(logOf(executionId));
          addTally(figures.repeats, expectEffectsOnce(executionId, effects, output, killedPids, undefined, mode));
          figures.executions += 1;
          figures.mostKillsOnOneExecution = Math.max(figures.mostKillsOnOneExecution, killedPids.size);
        };

        const lane = async (): Promise<void> => {
          while (figures.kills < KILLS) {
            await runUntilFinished(`campaign-${randomUUID()}`, 1 + randomInt(MAX_KILLS_PER_EXECUTION));
          }
        };
        await Promise.all(Array.from({ length: LANES }, lane));

        expect(figures.kills).toBe(KILLS);
        expect(figures.repeats.atMostOnceRepeats).toBe(0);
      },
      120_000 + KILLS * 2_000,
    );
  },
);
