import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createHandler,
  DynamoDbStore,
  ExecutionBusyError,
  type ExecutionResult,
  type Logger,
  StoreUnavailableError,
} from '../../packages/core/src/index.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { CHECKPOINT_MODES, checkpointModeOptions } from '../support/checkpoint-modes.js';
import { localClient } from '../support/dynamodb-servers.js';
import { FAULT_KINDS, type FaultKind, FaultProxy } from './fault-proxy.js';
import { InProcessLedger } from './in-process-ledger.js';
import { addTally, emptyTally, expectEffectsOnce } from './ledger-effects.js';
import { expectConsistentPrefix, expectFinishedJournal } from './ledger-journal.js';
import { type LedgerOutput, LedgerService, uninterruptedOutput } from './ledger-service.js';
import { printFigures, reliabilitySettings } from './reliability-settings.js';

/**
 * Store faults: DynamoDB Local behind a fault proxy (fault-proxy.ts) that
 * throttles, fails, delays or drops ~10% of requests. Executions complete,
 * retried as Lambda would retry a failed invocation; under a persistent
 * outage an invocation fails with a retryable StoreUnavailableError and the
 * execution resumes cleanly once the outage is over. The journal is checked
 * (through a client that bypasses the proxy) after every failed invocation
 * and at the end of every execution.
 *
 * In both checkpoint modes (the faulty campaign gets half of the executions
 * in each): with pipelined checkpoints a fault may also hit a write still
 * under way behind the step that runs.
 */

/** Executions of the faulty campaign in each checkpoint mode. */
const EXECUTIONS = Math.ceil(reliabilitySettings.faultExecutions / CHECKPOINT_MODES.length);
const LANES = 4;
const FAULT_RATE = 0.1;
/** An invocation that failed on the store gives its lease back if the store lets it; else it expires: keep it short. */
const LEASE_MS = 300;
const PAUSE_MS = 1;
const MAX_ATTEMPTS = 40;
const INPUT = { ledger: 'store-faults' };

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe.each(CHECKPOINT_MODES)(
  'store faults with $title: DynamoDB Local behind a proxy that throttles, fails, delays and drops requests',
  (mode) => {
    const endpoint = inject('dynamoDbEndpoints')['dynamodb-local'];
    const cleanClient = testDynamoDbClient('dynamodb-local');
    // Set up when this mode's tests start: an InProcessLedger installs the service's hooks for the whole process.
    let ledger: InProcessLedger;
    const reference = uninterruptedOutput(INPUT);
    const proxies: FaultProxy[] = [];
    const figures = {
      executions: 0,
      invocations: 0,
      failedStoreUnavailable: 0,
      refusedBusy: 0,
      requestsThroughProxies: 0,
      faultsInjected: 0,
      faultsByKind: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
      persistentOutages: 0,
      lostStartedAnswer: {} as Record<string, unknown>,
      repeats: emptyTally(),
    };

    const startProxy = async (): Promise<FaultProxy> => {
      const proxy = await FaultProxy.start(endpoint);
      proxies.push(proxy);
      return proxy;
    };

    beforeAll(() => {
      ledger = new InProcessLedger(PAUSE_MS);
    });

    afterAll(async () => {
      for (const proxy of proxies) {
        figures.requestsThroughProxies += proxy.requests;
        figures.faultsInjected += proxy.injectedTotal;
        for (const kind of FAULT_KINDS) figures.faultsByKind[kind] += proxy.injected[kind];
        await proxy.close();
      }
      const { repeats, ...counts } = figures;
      printFigures(`store faults (${mode.title})`, {
        ...counts,
        repeatsByKind: { 'at-least-once': repeats.atLeastOnceRepeats, 'at-most-once': repeats.atMostOnceRepeats },
        // No process dies here: these at-most-once steps got StepInterruptedError though they never ran (a lost
        // answer to their STARTED write, see the last test).
        atMostOnceInterruptedNeverRun: repeats.interruptedBeforeEffect,
        atMostOnceInterruptedAfterEffect: repeats.interruptedAfterEffect,
      });
    });

    /** Starts one invocation of the ledger through `client` (counted in the figures), with the suite's settings. */
    const invoke = (client: DynamoDBClient, executionId: string) => {
      const handler = createHandler(LedgerService, {
        store: new DynamoDbStore({ client, tableName: TEST_TABLE }),
        leaseMs: LEASE_MS,
        logger: silent,
        ...checkpointModeOptions(mode),
      });
      figures.invocations += 1;
      return ledger.invoke(() => handler({ executionId, input: INPUT }));
    };

    /**
     * Invokes until the execution answers, as Lambda retries a failed
     * invocation: each attempt on a fresh client (a new instance), after the
     * lease of a failed attempt has expired when the refusal says until when.
     * Checks the journal after every failed attempt. Returns the output and the
     * runners (invocations) that failed.
     */
    const invokeUntilDone = async (
      proxy: FaultProxy,
      executionId: string,
    ): Promise<{ output: LedgerOutput; abandoned: Set<number> }> => {
      const abandoned = new Set<number>();
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const client = localClient(proxy.endpoint);
        const { runner, result } = invoke(client, executionId);
        let answer: ExecutionResult;
        try {
          answer = await result;
        } catch (error) {
          abandoned.add(runner);
          if (error instanceof ExecutionBusyError) {
            figures.refusedBusy += 1;
            await delay(Math.max(0, (error.leaseExpiresAt ?? 0) - Date.now()) + 50);
          } else if (error instanceof StoreUnavailableError) {
            figures.failedStoreUnavailable += 1;
            expect(error.retryable).toBe(true);
          } else {
            throw error;
          }
          await expectConsistentPrefix(cleanClient, TEST_TABLE, executionId, mode);
          continue;
        } finally {
          client.destroy();
        }
        expect(answer.status).toBe('SUCCEEDED');
        return { output: (answer as { output: LedgerOutput }).output, abandoned };
      }
      throw new Error(`execution ${executionId} did not finish in ${MAX_ATTEMPTS} invocations`);
    };

    const expectCompleted = async (executionId: string, output: LedgerOutput, abandoned: Set<number>) => {
      expect(output.entries).toEqual(reference.entries);
      await expectFinishedJournal(cleanClient, TEST_TABLE, executionId, output);
      addTally(
        figures.repeats,
        expectEffectsOnce(executionId, ledger.effectsOf(executionId), output, abandoned, (e) => e.runner, mode),
      );
      figures.executions += 1;
    };

    it(
      `${EXECUTIONS} executions complete with ${FAULT_RATE * 100}% of requests faulty, retried as Lambda would`,
      async () => {
        const proxy = await startProxy();
        proxy.faultRate = FAULT_RATE;
        let started = 0;
        const lane = async (): Promise<void> => {
          while (started < EXECUTIONS) {
            started += 1;
            const executionId = `faults-${randomUUID()}`;
            const { output, abandoned } = await invokeUntilDone(proxy, executionId);
            await expectCompleted(executionId, output, abandoned);
          }
        };
        await Promise.all(Array.from({ length: LANES }, lane));
        expect(figures.executions).toBe(EXECUTIONS);
        expect(proxy.injectedTotal).toBeGreaterThan(0);
      },
      60_000 + EXECUTIONS * 5_000,
    );

    it.each(['server-error', 'throttle', 'drop-before-request', 'drop-before-response'] as const)(
      'a persistent outage (%s) fails the invocation with a retryable StoreUnavailableError; it resumes cleanly after',
      async (kind) => {
        const proxy = await startProxy();
        const executionId = `outage-${kind}-${randomUUID()}`;
        // The outage begins inside step 8, after its side effect, before its checkpoint.
        ledger.onEffect = (effect) => {
          if (effect.execution === executionId && effect.step === 8) proxy.outage = { kind, requests: Infinity };
        };
        const client = localClient(proxy.endpoint);
        // Strict checkpoints: the outage begins at step 8's own checkpoint, none of steps 1-7's is still under way.
        // Pipelined, step 7's may be, and fail too (step 6, at-most-once, waited for all before it).
        const { runner, result } = invoke(client, executionId);
        const error = await result.then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        client.destroy();
        expect(error).toBeInstanceOf(StoreUnavailableError);
        expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
        expect((error as Error).message).toMatch(/checkpoint store failed during writeOperation.*can be retried/);
        expect((error as Error).cause).toBeInstanceOf(Error);
        figures.failedStoreUnavailable += 1;
        figures.persistentOutages += 1;

        // Steps 1-7 for sure (pipelined, 1-6); step 8 too when its write landed and only the answer was lost.
        const recorded = await expectConsistentPrefix(cleanClient, TEST_TABLE, executionId, mode);
        expect(recorded).toBeGreaterThanOrEqual(mode.isPipelined ? 6 : 7);
        expect(recorded).toBeLessThanOrEqual(8);

        // The outage is over (the usual 10% of faults remain): Lambda's retries resume the execution.
        ledger.onEffect = () => {};
        proxy.outage = undefined;
        proxy.faultRate = FAULT_RATE;
        const { output, abandoned } = await invokeUntilDone(proxy, executionId);
        abandoned.add(runner);
        await expectCompleted(executionId, output, abandoned);
        // Recorded before the outage (with all before it): never run again. Not recorded: run again (more than once
        // only if a later invocation also failed inside it, which expectEffectsOnce has vetted).
        const stepEightRuns = ledger.effectsOf(executionId).filter((e) => e.step === 8).length;
        if (recorded === 8) expect(stepEightRuns).toBe(1);
        else expect(stepEightRuns).toBeGreaterThanOrEqual(2);
      },
      60_000,
    );

    it('a burst that outlasts the client retries of one checkpoint fails only the invocation, not the execution', async () => {
      const proxy = await startProxy();
      const executionId = `burst-${randomUUID()}`;
      const client = localClient(proxy.endpoint);
      // Exactly the client's attempts at one checkpoint fail; the store is fine again right after. Strict, that is
      // step 8's: nothing else is under way. Pipelined, step 8's write could share the burst with step 7's, which
      // may still be under way: aim at step 9's outcome instead, at-most-once, which waits for every write before it.
      const burstStep = mode.isPipelined ? 9 : 8;
      const attempts = await client.config.maxAttempts();
      ledger.onEffect = (effect) => {
        if (effect.execution === executionId && effect.step === burstStep)
          proxy.outage = { kind: 'server-error', requests: attempts };
      };
      const { runner, result } = invoke(client, executionId);
      const error = await result.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      client.destroy();
      ledger.onEffect = () => {};
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/during writeOperation/);
      figures.failedStoreUnavailable += 1;
      // The invocation stopped without recording anything more: not FAILED, its lease given back (due at once, the
      // burst being over), the steps before the burst recorded (pipelined: step 9 too, STARTED).
      const record = await new DynamoDbStore({ client: cleanClient, tableName: TEST_TABLE }).getExecution({
        service: 'reliability-ledger',
        executionId,
      });
      expect(record?.status).toBe('SUSPENDED');
      expect(record?.leaseOwner).toBeUndefined();
      expect(record?.resumeAt).toBeTypeOf('number');
      expect(await expectConsistentPrefix(cleanClient, TEST_TABLE, executionId, mode)).toBe(mode.isPipelined ? 9 : 7);

      const { output, abandoned } = await invokeUntilDone(proxy, executionId);
      abandoned.add(runner);
      await expectCompleted(executionId, output, abandoned);
      // Pipelined: step 9 ran, and its outcome was lost with the burst: the next invocation reports it interrupted.
      if (mode.isPipelined) expect(output.interrupted).toEqual([9]);
    }, 60_000);

    // Today the invocation that lost the answer takes its own STARTED record for another invocation's
    // (ExecutionBusyError), and the next one reports the step interrupted (StepInterruptedError) though it never
    // ran: safe, but a false alarm the workflow must handle. Only the safety is asserted; what happened is printed.
    it("a lost answer to an at-most-once step's STARTED record never lets the step run twice", async () => {
      const proxy = await startProxy();
      const executionId = `lost-started-${randomUUID()}`;
      // After step 8's effect: its checkpoint passes, then the answer to step 9's STARTED write is lost (the
      // write itself lands), and so are the answers to the client's retries of it.
      const client = localClient(proxy.endpoint);
      const attempts = await client.config.maxAttempts();
      ledger.onEffect = (effect) => {
        if (effect.execution === executionId && effect.step === 8) {
          proxy.outage = { kind: 'drop-before-response', requests: 1, skip: 1 };
        }
      };
      const { runner, result } = invoke(client, executionId);
      const first = await result.then(
        (answer) => answer.status,
        (thrown: unknown) => (thrown instanceof Error ? thrown.name : String(thrown)),
      );
      client.destroy();
      ledger.onEffect = () => {};
      expect(attempts).toBeGreaterThan(1);

      const { output, abandoned } = await invokeUntilDone(proxy, executionId);
      abandoned.add(runner);
      await expectCompleted(executionId, output, abandoned);
      const stepNineRuns = ledger.effectsOf(executionId).filter((e) => e.step === 9).length;
      expect(stepNineRuns).toBeLessThanOrEqual(1);
      figures.lostStartedAnswer = { firstInvocation: first, stepNineRuns, interrupted: output.interrupted };
    }, 60_000);
  },
);
