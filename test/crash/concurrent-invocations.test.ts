import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { killRunningWorkers, lastJsonLine, readSideEffects, startWorker } from './spawn-worker.js';
import { READY_MARKER, WORKER_ENV } from './worker-protocol.js';

/**
 * Eight real processes, released together, invoke one execution: one holds
 * the lease and runs the steps, the others are refused (EXECUTION_BUSY) and
 * ask again until the execution answers. Every side effect happens once and
 * every process gets the same output.
 */

const SERVICE = 'concurrent-invocations';
const PROCESSES = 8;
/** Longer than any run here, so no invocation takes over a live one: exactly-once holds without crashes. */
const LEASE_MS = 60_000;

describe.each(['dynamodb-local', 'dynalite'] as const)(
  `${PROCESSES} processes invoking one execution at once, on %s`,
  (kind) => {
    let directory: string;
    let sideEffectLog: string;

    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), 'durable-concurrent-'));
      sideEffectLog = join(directory, 'side-effects.jsonl');
    });

    afterEach(async () => {
      await killRunningWorkers();
      await rm(directory, { recursive: true, force: true });
    });

    it('runs every step once, records every position once, and all processes answer the same output', async () => {
      const executionId = `concurrent-${randomUUID()}`;
      const workers = Array.from({ length: PROCESSES }, () =>
        startWorker('./concurrent-worker.ts', {
          [WORKER_ENV.endpoint]: inject('dynamoDbEndpoints')[kind],
          [WORKER_ENV.executionId]: executionId,
          [WORKER_ENV.sideEffectLog]: sideEffectLog,
          [WORKER_ENV.leaseMs]: String(LEASE_MS),
          [WORKER_ENV.retryForMs]: '20000',
        }),
      );
      await Promise.all(workers.map((worker) => worker.waitForLine(READY_MARKER)));
      for (const worker of workers) worker.release();
      const exits = await Promise.all(workers.map((worker) => worker.exited()));

      for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
      const expected = {
        status: 'SUCCEEDED',
        executionId,
        output: ['validated', 'weighed', 'labelled', 'picked-up', 'delivered', 'confirmed'].map(
          (verb) => `${verb}:${executionId}`,
        ),
      };
      expect(exits.map((exit) => lastJsonLine(exit.stdout))).toEqual(Array(PROCESSES).fill(expected));

      const effects = await readSideEffects(sideEffectLog);
      expect(effects.map((effect) => effect.step)).toEqual([1, 2, 3, 4, 5, 6]);
      // One lease holder ran them all: one of the eight.
      const runners = new Set(effects.map((effect) => effect.pid));
      expect(runners.size).toBe(1);
      expect(workers.map((worker) => worker.pid)).toContain(effects[0]?.pid);

      const store = new DynamoDbStore({ client: testDynamoDbClient(kind), tableName: TEST_TABLE });
      const key = { service: SERVICE, executionId };
      const journal = await store.loadJournal(key);
      expect(journal.map((r) => [r.position, r.status])).toEqual(
        ['1', '2', '3', '4', '5', '6'].map((position) => [position, 'SUCCEEDED']),
      );
      const record = await store.getExecution(key);
      expect(record?.status).toBe('SUCCEEDED');
      expect(record?.invocations).toBeGreaterThanOrEqual(1);
    }, 60_000);
  },
);
