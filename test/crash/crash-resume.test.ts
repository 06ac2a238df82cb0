import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { DynamoDbStore, type ExecutionKey } from '../../packages/core/src/index.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { type CheckpointMode, checkpointModeEnv, PIPELINED, STRICT } from '../support/checkpoint-modes.js';
import { killRunningWorkers, lastJsonLine, readSideEffects, startWorker } from './spawn-worker.js';
import { EXIT_BUSY, hangingMarker, WORKER_ENV } from './worker-protocol.js';

/**
 * A real process runs a five-step workflow against DynamoDB and is SIGKILLed
 * inside step 3, after the step's side effect and before its checkpoint. The
 * next process resumes it. With the defaults (strict checkpoints) the
 * checkpoints of steps 1 and 2 are durable before step 3 starts, so a kill
 * the moment step 3 starts repeats only the operation in flight: steps 1 and
 * 2 replay from the journal, step 3 runs again (at-least-once), 4 and 5 run
 * for the first time. With DURABLE_PIPELINE_CHECKPOINTS=true (the opt-in
 * speed mode) their writes may still be under way then: the last test shows
 * what a step whose checkpoint was lost costs.
 */

const SERVICE = 'crash-resume';

describe.each(['dynamodb-local', 'dynalite'] as const)('a worker SIGKILLed inside step 3, on %s', (kind) => {
  let directory: string;
  let sideEffectLog: string;
  let executionId: string;
  let key: ExecutionKey;
  let store: DynamoDbStore;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'durable-crash-'));
    sideEffectLog = join(directory, 'side-effects.jsonl');
    executionId = `crash-resume-${randomUUID()}`;
    key = { service: SERVICE, executionId };
    store = new DynamoDbStore({ client: testDynamoDbClient(kind), tableName: TEST_TABLE });
  });

  afterEach(async () => {
    await killRunningWorkers();
    await rm(directory, { recursive: true, force: true });
  });

  const run = (leaseMs: number, mode: CheckpointMode, hangInStep?: number) =>
    startWorker('./worker.ts', {
      [WORKER_ENV.endpoint]: inject('dynamoDbEndpoints')[kind],
      [WORKER_ENV.executionId]: executionId,
      [WORKER_ENV.sideEffectLog]: sideEffectLog,
      [WORKER_ENV.leaseMs]: String(leaseMs),
      ...(hangInStep === undefined ? {} : { [WORKER_ENV.hangInStep]: String(hangInStep) }),
      ...checkpointModeEnv(mode),
    });

  /** Starts a worker that hangs inside step 3, and SIGKILLs it the moment it is there. Returns its pid. */
  const runAndKillInStep3 = async (leaseMs: number, mode: CheckpointMode = STRICT): Promise<number> => {
    const doomed = run(leaseMs, mode, 3);
    await doomed.waitForLine(hangingMarker(3));
    const exit = await doomed.kill();
    expect(exit.signal).toBe('SIGKILL');
    return doomed.pid;
  };

  /** Waits until the dead worker's lease on the execution has run out (read from the record, not guessed). */
  const waitForLeaseToExpire = async (): Promise<void> => {
    const record = await store.getExecution(key);
    expect(record?.status).toBe('RUNNING');
    expect(record?.leaseExpiresAt).toBeTypeOf('number');
    await delay(Math.max(0, (record?.leaseExpiresAt ?? 0) - Date.now()) + 300);
  };

  const expectedOutput = () => ({
    status: 'SUCCEEDED',
    executionId,
    output: [
      `reserved:${executionId}`,
      `charged:${`reserved:${executionId}`.length}`,
      `packed:charged:${`reserved:${executionId}`.length}`,
      'shipped:17',
      'notified:shipped:17',
    ],
  });

  /** The journal holds positions 1..5 once each, all SUCCEEDED. */
  const expectCompleteJournal = async (): Promise<void> => {
    const journal = await store.loadJournal(key);
    expect(journal.map((r) => [r.position, r.kind, r.name, r.status])).toEqual([
      ['1', 'step', 'reserve', 'SUCCEEDED'],
      ['2', 'step', 'charge', 'SUCCEEDED'],
      ['3', 'step', 'pack', 'SUCCEEDED'],
      ['4', 'step', 'ship', 'SUCCEEDED'],
      ['5', 'step', 'notify', 'SUCCEEDED'],
    ]);
  };

  /**
   * Runs a worker (with the defaults) to the end after a kill inside step 3 whose journal held steps 1-2: it
   * must replay them, run step 3 again and 4-5 once, and answer the workflow's output: only the operation in
   * flight repeats. Returns the side effects, for later checks.
   */
  const resumeAfterKillInStep3 = async (firstPid: number, leaseMs: number) => {
    const resumer = run(leaseMs, STRICT);
    const resumed = await resumer.exited();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJsonLine(resumed.stdout)).toEqual(expectedOutput());
    const effects = [
      { step: 1, pid: firstPid },
      { step: 2, pid: firstPid },
      { step: 3, pid: firstPid },
      { step: 3, pid: resumer.pid },
      { step: 4, pid: resumer.pid },
      { step: 5, pid: resumer.pid },
    ];
    expect(await readSideEffects(sideEffectLog)).toEqual(effects);
    await expectCompleteJournal();
    return effects;
  };

  it('with the defaults, killed the moment step 3 starts: steps 1-2 are recorded; after the lease expires they replay, only step 3 runs again, 4-5 run once; a third run only answers', async () => {
    const firstPid = await runAndKillInStep3(1_500);
    expect(await readSideEffects(sideEffectLog)).toEqual([
      { step: 1, pid: firstPid },
      { step: 2, pid: firstPid },
      { step: 3, pid: firstPid },
    ]);
    // Strict checkpoints: steps 1-2 were durable before step 3 started, and the kill came before step 3's.
    expect((await store.loadJournal(key)).map((r) => r.position)).toEqual(['1', '2']);

    await waitForLeaseToExpire();
    const afterResume = await resumeAfterKillInStep3(firstPid, 1_500);

    const third = await run(1_500, STRICT).exited();
    expect(third.code, third.stderr).toBe(0);
    expect(lastJsonLine(third.stdout)).toEqual(expectedOutput());
    expect(await readSideEffects(sideEffectLog)).toEqual(afterResume);
    const record = await store.getExecution(key);
    expect(record?.status).toBe('SUCCEEDED');
    expect(record?.invocations).toBe(2);
  }, 60_000);

  it('refuses a rerun with EXECUTION_BUSY while the lease is live, and resumes once it expires', async () => {
    // A lease long enough that the rerun surely starts inside it, even on a loaded machine.
    const leaseMs = 8_000;
    const firstPid = await runAndKillInStep3(leaseMs);

    const refused = await run(leaseMs, STRICT).exited();
    expect(refused.code, refused.stderr).toBe(EXIT_BUSY);
    expect(lastJsonLine(refused.stderr)).toMatchObject({
      error: { name: 'ExecutionBusyError', code: 'EXECUTION_BUSY' },
    });
    expect(refused.stdout).toBe('');
    // Refused before running anything: no side effect, no checkpoint.
    expect(await readSideEffects(sideEffectLog)).toHaveLength(3);
    expect((await store.loadJournal(key)).map((r) => r.position)).toEqual(['1', '2']);

    await waitForLeaseToExpire();
    await resumeAfterKillInStep3(firstPid, leaseMs);
  }, 60_000);

  it('with DURABLE_PIPELINE_CHECKPOINTS=true, killed the moment step 3 starts: a step whose checkpoint had landed never runs again, one that had not runs again', async () => {
    const firstPid = await runAndKillInStep3(1_500, PIPELINED);
    // Read once the lease expired: a write the dead worker had sent has landed by then, or never will.
    await waitForLeaseToExpire();
    const landed = (await store.loadJournal(key)).map((r) => r.position);
    // Replay trusts the gap-free prefix: if step 2's write landed and step 1's did not, step 2 runs again too.
    const replayable = landed.includes('1') ? (landed.includes('2') ? ['1', '2'] : ['1']) : [];
    const second = run(1_500, PIPELINED);
    const resumed = await second.exited();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastJsonLine(resumed.stdout)).toEqual(expectedOutput());
    const effects = await readSideEffects(sideEffectLog);
    for (const step of [1, 2]) {
      const pids = effects.filter((e) => e.step === step).map((e) => e.pid);
      expect(pids, `step ${step}`).toEqual(replayable.includes(String(step)) ? [firstPid] : [firstPid, second.pid]);
    }
    for (const [step, pids] of [
      [3, [firstPid, second.pid]],
      [4, [second.pid]],
      [5, [second.pid]],
    ] as const) {
      expect(
        effects.filter((e) => e.step === step).map((e) => e.pid),
        `step ${step}`,
      ).toEqual(pids);
    }
    await expectCompleteJournal();
  }, 60_000);
});
