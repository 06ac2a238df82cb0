import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  deserialize,
  type ExecutionKey,
  isDurableError,
  type Logger,
  MemoryStore,
  type OperationRecord,
  Step,
  Workflow,
} from '../../packages/core/src/index.js';
import { splitTrusted } from '../../packages/core/src/journal/trust.js';
import { TEST_TABLE, testDynamoDbClient } from '../../packages/core/src/testing/test-store.js';
import { SeededRandom, seedFrom } from '../support/seeded-random.js';
import { gate, type StoreHooks, withHooks } from '../support/store-hooks.js';
import { withLatency } from '../support/store-latency.js';
import {
  BRANCHING_SERVICE,
  type Branch,
  type BranchingEffect,
  type BranchingInput,
  type BranchingOutput,
  BranchingService,
  type ModelOperation,
  runAs,
  type Semantics,
  walkModel,
} from './branching-service.js';
import { printFigures, reliabilitySettings } from './reliability-settings.js';

/**
 * Clock skew, fuzzed: two invocations of each execution run at once in this
 * process, each with its own clock (the real one plus 0-5 s), its own lease
 * owner and a short lease, so the one whose clock is ahead takes over the
 * other's lease while it still runs. Inside steps they take random decisions
 * that choose the steps that follow (branching-service.ts), with at-most-once
 * and at-least-once steps, parallels and maps, and sometimes pipelined
 * checkpoints on one of them or both; each store request and answer is
 * delayed a little at random, so their writes race. Each side is invoked
 * again after ExecutionBusyError, as Lambda retries, until the execution
 * answers.
 *
 * Then, per execution, whatever the interleaving was:
 * - it ended SUCCEEDED, both sides answer the same output, and no invocation
 *   failed otherwise (no NonDeterminismError: the code never changed);
 * - the output is one an uninterrupted run could produce: the walk the model
 *   rebuilds from its decisions alone, token for token (each token embeds a
 *   digest of the path before it, so two invocations' decisions cannot mix);
 * - every at-most-once step on that path ran at most once (exactly once unless
 *   it was reconciled as interrupted), every at-least-once one at least once,
 *   and each decision is one its step's body took;
 * - the journal's trusted records at the path's positions hold that path.
 *
 * The plan of every execution (tree, semantics, skews, leases, latencies,
 * modes) and the invocations' decisions come from the printed seed:
 * RELIABILITY_SKEW_SEED replays it, up to the timing of the interleavings,
 * which no seed pins: RELIABILITY_SKEW_ONLY=<n> runs execution n's plan
 * alone, as many times as there would be executions, to catch its timing
 * again. Interleavings the fuzz found are pinned below with gates, so that
 * they happen every time.
 */

const EXECUTIONS = reliabilitySettings.skewExecutions;
const SEED = seedFrom('RELIABILITY_SKEW_SEED');
const ONLY = process.env.RELIABILITY_SKEW_ONLY;
/** Executions under way at once. */
const CONCURRENCY = 6;
const MAX_SKEW_MS = 5_000;
/** Invocations one side makes at most before the test gives up on the execution. */
const MAX_INVOCATIONS_PER_SIDE = 300;
const STORES = ['memory', 'dynalite', 'dynamodb-local'] as const;
type StoreKind = (typeof STORES)[number];

/** One of the two sides invoking an execution (two Lambda instances). */
interface Side {
  name: 'A' | 'B';
  /** Added to the real clock: this side's `now`. */
  skewMs: number;
  pipelineCheckpoints: boolean;
  /** The engine adds its 2 s grace: a side whose clock is ahead by more takes over at once. */
  leaseMs: number;
  /** Longest delay of each store request, and again of its answer. */
  latencyMs: number;
  startAfterMs: number;
}

interface Scenario {
  index: number;
  input: BranchingInput;
  sides: [Side, Side];
  /** Longest pause before and after each step's effect. */
  maxPauseMs: number;
}

function drawScenario(random: SeededRandom, index: number, kind: StoreKind): Scenario {
  const semantics = (): Semantics => (random.chance(0.35) ? 'at-most-once' : 'at-least-once');
  const some = (min: number, max: number): Semantics[] => Array.from({ length: random.int(min, max) }, semantics);
  const branch = (): Branch => {
    const draw = random.next();
    if (draw < 0.15) return { kind: 'parallel', branches: some(2, 3) };
    if (draw < 0.3) return { kind: 'map', items: some(2, 3) };
    return { kind: 'steps', steps: some(1, 2) };
  };
  const levels = Array.from({ length: random.int(2, 5) }, () => ({
    decide: semantics(),
    choices: { a: branch(), b: branch(), c: branch() },
  }));
  // Mostly past the lease and its 2 s grace, so that one side takes over the other's lease while it runs.
  const skewMs = random.chance(0.7) ? random.int(MAX_SKEW_MS / 2, MAX_SKEW_MS) : random.int(0, MAX_SKEW_MS / 2);
  const isAheadA = random.chance(0.5);
  // Mostly the side whose clock is behind starts first: the other then finds its lease expired by its own clock.
  const behindStartsFirst = random.chance(0.75);
  const draw = random.next();
  const pipelined = draw < 0.4 ? 'neither' : draw < 0.65 ? 'A' : draw < 0.9 ? 'B' : 'both';
  const side = (name: 'A' | 'B'): Side => {
    const isAhead = (name === 'A') === isAheadA;
    return {
      name,
      skewMs: isAhead ? skewMs : 0,
      pipelineCheckpoints: pipelined === name || pipelined === 'both',
      leaseMs: random.int(100, 400),
      latencyMs: random.int(0, kind === 'memory' ? 4 : 2),
      startAfterMs: isAhead === behindStartsFirst ? random.int(5, 30) : random.int(0, 5),
    };
  };
  return { index, input: { levels }, sides: [side('A'), side('B')], maxPauseMs: random.int(0, 3) };
}

/** How an ExecutionBusyError came about: refused at the claim, stopped by fencing mid-run, or its lease lost. */
function busyKind(error: unknown): 'refusedAtClaim' | 'fencedMidRun' | 'leaseLostAtEnd' | undefined {
  if (!isDurableError(error, 'EXECUTION_BUSY')) return undefined;
  if (error.message.includes('took over its lease')) return 'leaseLostAtEnd';
  if (error.message.includes('position') || error.message.includes('newer invocation')) return 'fencedMidRun';
  return 'refusedAtClaim';
}

function describeError(error: unknown): string {
  if (isDurableError(error)) return `${error.name} (${error.code}): ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const noop = (): void => {};

describe.each(STORES)('clock skew on %s: two overlapping invocations per execution', (kind) => {
  const store: CheckpointStore =
    kind === 'memory'
      ? new MemoryStore()
      : new DynamoDbStore({ client: testDynamoDbClient(kind), tableName: TEST_TABLE });
  const run = randomUUID().slice(0, 8);
  const figures = {
    seed: SEED,
    executions: 0,
    invocations: 0,
    claims: 0,
    refusedAtClaim: 0,
    fencedMidRun: 0,
    leaseLostAtEnd: 0,
    executionsWithOverlap: 0,
    executionsPipelined: { neither: 0, oneSide: 0, both: 0 },
    parallelsAndMapsOnPath: 0,
    stepsOnPath: 0,
    atLeastOnceRepeats: 0,
    atMostOnceInterrupted: 0,
    atMostOnceRunTwiceOffPath: 0,
    untrustedRecordsLeft: 0,
    nonDeterminismErrors: 0,
    slowestExecutionMs: 0,
  };

  afterAll(() => {
    printFigures(`clock skew on ${kind} (rerun: RELIABILITY_SKEW_SEED=${SEED})`, figures);
  });

  /** Runs one execution from both sides and checks it; throws with the seed and a trace when a check fails. */
  const runAndCheck = async (scenario: Scenario, repetition: number): Promise<void> => {
    const executionId = `skew-${run}-${scenario.index}-${repetition}`;
    const random = new SeededRandom(SEED).derive(kind, 'run', scenario.index);
    const effects: BranchingEffect[] = [];
    const trace: string[] = [];
    const startedAt = Date.now();
    const elapsed = () => Date.now() - startedAt;

    const invokeUntilAnswered = async (side: Side): Promise<{ output?: BranchingOutput; errors: string[] }> => {
      let runner = '';
      const errors: string[] = [];
      const logger: Logger = {
        debug: noop,
        info: noop,
        warn: noop,
        error: (message, fields) => {
          if (fields?.code === 'NON_DETERMINISM') figures.nonDeterminismErrors += 1;
          errors.push(`${runner} logged ${String(fields?.code)}: ${message}`);
        },
      };
      const handler = createHandler(BranchingService, {
        store: withLatency(store, random.derive('latency', side.name), side.latencyMs),
        now: () => Date.now() + side.skewMs,
        leaseMs: side.leaseMs,
        pipelineCheckpoints: side.pipelineCheckpoints,
        leaseOwner: () => `${executionId}:${runner}`,
        logger,
      });
      await delay(side.startAfterMs);
      for (let attempt = 1; attempt <= MAX_INVOCATIONS_PER_SIDE; attempt++) {
        runner = `${side.name}${attempt}`;
        figures.invocations += 1;
        const from = elapsed();
        const invocation = {
          runner,
          random: random.derive('decisions', runner),
          maxPauseMs: scenario.maxPauseMs,
          effects,
        };
        try {
          const answer = await runAs(invocation, () => handler({ executionId, input: scenario.input }));
          trace.push(`${runner} ${from}-${elapsed()} ms: ${answer.status}`);
          if (answer.status === 'SUCCEEDED') return { output: answer.output as BranchingOutput, errors };
          // Nothing in this workflow suspends; if it did, asking again is what the sweeper would do.
        } catch (error) {
          const busy = busyKind(error);
          if (busy === undefined) {
            if (isDurableError(error, 'NON_DETERMINISM')) figures.nonDeterminismErrors += 1;
            trace.push(`${runner} ${from}-${elapsed()} ms: threw ${describeError(error)}`);
            errors.push(`${runner} threw ${describeError(error)}`);
            return { errors };
          }
          figures[busy] += 1;
          if (busy !== 'refusedAtClaim')
            trace.push(`${runner} ${from}-${elapsed()} ms: ${busy}: ${(error as Error).message}`);
          await delay(random.int(1, 10));
        }
      }
      errors.push(`side ${side.name} got no answer in ${MAX_INVOCATIONS_PER_SIDE} invocations`);
      return { errors };
    };

    const where = `seed ${SEED}, execution ${scenario.index} on ${kind}`;
    try {
      const answers = await Promise.all(scenario.sides.map(invokeUntilAnswered));
      const [first, second] = answers;
      expect(
        answers.flatMap((answer) => answer.errors),
        'invocations that failed other than ExecutionBusyError',
      ).toEqual([]);
      expect(second?.output, 'both sides answer the same output').toEqual(first?.output);
      const output = first!.output!;
      const record = await store.getExecution({ service: BRANCHING_SERVICE, executionId });
      expect(record?.status, 'the execution').toBe('SUCCEEDED');
      expect(deserialize(record?.output ?? 'null'), 'the recorded output').toEqual(output);

      // One uninterrupted path: the model, given only the output's decisions, rebuilds every token.
      const model = walkModel(scenario.input, output.tokens);
      expect(output.tokens, 'the output against the walk its own decisions make').toEqual(model.tokens);
      const steps = model.operations.filter((op) => op.kind === 'step');
      const atMostOnceLabels = steps.filter((op) => op.semantics === 'at-most-once').map((op) => op.label);
      for (const label of output.interrupted) {
        expect(atMostOnceLabels, `interrupted step ${label} is an at-most-once step of the path`).toContain(label);
      }
      expectEffectsOnPath(steps, effects, output.interrupted);
      await expectJournalHoldsPath(executionId, model.operations, output.interrupted);

      figures.executions += 1;
      figures.claims += record?.invocations ?? 0;
      if (trace.some((line) => /fencedMidRun|leaseLostAtEnd/.test(line))) figures.executionsWithOverlap += 1;
      const pipelinedSides = scenario.sides.filter((side) => side.pipelineCheckpoints).length;
      figures.executionsPipelined[pipelinedSides === 0 ? 'neither' : pipelinedSides === 1 ? 'oneSide' : 'both'] += 1;
      figures.parallelsAndMapsOnPath += model.operations.length - steps.length;
      figures.stepsOnPath += steps.length;
      figures.atMostOnceInterrupted += output.interrupted.length;
      figures.atMostOnceRunTwiceOffPath += countAtMostOnceRepeats(effects);
      figures.slowestExecutionMs = Math.max(figures.slowestExecutionMs, elapsed());
    } catch (error) {
      const rerun = `RELIABILITY_SKEW_SEED=${SEED} RELIABILITY_SKEW_ONLY=${scenario.index} npx vitest run --project integration test/reliability/clock-skew.test.ts -t ${kind}`;
      throw new Error(
        `clock-skew fuzz: ${where} (rerun: ${rerun})\n` +
          `sides: ${JSON.stringify(scenario.sides)}\nplan: ${JSON.stringify(scenario.input)}\n` +
          `invocations:\n  ${trace.join('\n  ')}\n` +
          `effects:\n  ${effects.map((e) => `${e.runner} ${e.label}${e.letter === undefined ? '' : `=${e.letter}`}`).join(', ')}\n` +
          describeError(error),
        { cause: error },
      );
    }
  };

  /**
   * Along the output's path: an at-most-once step ran once, or at most once when it was reconciled as interrupted;
   * an at-least-once step ran at least once; a decision's letter is one its step's body picked.
   */
  const expectEffectsOnPath = (
    steps: readonly ModelOperation[],
    effects: readonly BranchingEffect[],
    interrupted: readonly string[],
  ): void => {
    for (const op of steps) {
      const runs = effects.filter((e) => e.label === op.label && e.path === op.path);
      const what = `${op.semantics} step ${op.label} (position ${op.position})`;
      const isInterrupted = interrupted.includes(op.label);
      if (op.semantics === 'at-most-once') {
        expect(runs.length, `${what}: runs`).toBeLessThanOrEqual(1);
        if (!isInterrupted) expect(runs.length, `${what}: runs (it was not interrupted)`).toBe(1);
      } else {
        expect(runs.length, `${what}: runs`).toBeGreaterThanOrEqual(1);
        figures.atLeastOnceRepeats += runs.length - 1;
      }
      if (op.step === 'decide' && !isInterrupted) {
        const letter = op.token?.split(':')[0]?.split('=').at(-1);
        expect(
          runs.map((e) => e.letter),
          `${what}: the letters its runs picked`,
        ).toContain(letter);
      }
    }
  };

  /** Runs of at-most-once steps beyond the first, anywhere (off the path too): informational. */
  const countAtMostOnceRepeats = (effects: readonly BranchingEffect[]): number => {
    const seen = new Set<string>();
    let repeats = 0;
    for (const e of effects) {
      if (e.semantics !== 'at-most-once') continue;
      const key = `${e.label}\u0000${e.path}`;
      if (seen.has(key)) repeats += 1;
      seen.add(key);
    }
    return repeats;
  };

  /** The journal's trusted records (what a replay would answer) at the path's positions are the path. */
  const expectJournalHoldsPath = async (
    executionId: string,
    operations: readonly ModelOperation[],
    interrupted: readonly string[],
  ): Promise<void> => {
    const journal = await store.loadJournal({ service: BRANCHING_SERVICE, executionId });
    const { trusted, untrusted } = splitTrusted(journal);
    figures.untrustedRecordsLeft += untrusted.length;
    const byPosition = new Map(trusted.map((record) => [record.position, record]));
    for (const op of operations) {
      const record = byPosition.get(op.position);
      const what = `journal position ${op.position} (${op.kind} ${op.name}, ${op.label})`;
      expect(record, `${what}: a trusted record`).toBeDefined();
      expect({ kind: record?.kind, name: record?.name }, what).toEqual({ kind: op.kind, name: op.name });
      if (op.kind !== 'step') {
        expect(record?.status, what).toBe('SUCCEEDED');
      } else if (interrupted.includes(op.label)) {
        expect(record?.status, what).toBe('FAILED');
        expect(isDurableError(deserialize(record?.error ?? 'null'), 'STEP_INTERRUPTED'), what).toBe(true);
      } else {
        expect(record?.status, what).toBe('SUCCEEDED');
        expect(deserialize(record?.result ?? 'null'), what).toBe(op.token);
      }
    }
  };

  // A DynamoDB server answers in milliseconds, not microseconds: it runs a tenth as many (the first ones, same plans).
  const count = kind === 'memory' ? EXECUTIONS : Math.max(10, Math.ceil(EXECUTIONS / 10));
  const indices = Array.from({ length: count }, (_, i) => (ONLY === undefined || ONLY === '' ? i : Number(ONLY)));

  it(
    `${indices.length} executions, two invocations each with 0-${MAX_SKEW_MS / 1000} s of clock skew: ` +
      'one uninterrupted path each, SUCCEEDED, no NonDeterminismError, at-most-once steps at most once',
    async () => {
      // Every execution runs and is checked, so a failure reports how often it happens, not only where first.
      const failures: Array<{ index: number; error: Error }> = [];
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < indices.length) {
          const repetition = next++;
          const index = indices[repetition]!;
          const scenario = drawScenario(new SeededRandom(SEED).derive('scenario', index), index, kind);
          await runAndCheck(scenario, repetition).catch((error: Error) => {
            failures.push({ index, error });
          });
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, lane));
      if (failures.length > 0) {
        failures.sort((a, b) => a.index - b.index);
        const lines = failures.map(({ index, error }) => `execution ${index}: ${describeError(error.cause)}`);
        throw new Error(
          `${failures.length} of ${indices.length} executions failed on ${kind} (seed ${SEED}):\n  ` +
            `${lines.join('\n  ')}\n\nThe first in full:\n${failures[0]!.error.message}`,
        );
      }
      expect(figures.executions).toBe(indices.length);
      expect(figures.nonDeterminismErrors).toBe(0);
    },
    60_000 + indices.length * 1_000,
  );

  // Interleavings the fuzz found, pinned with gates so that they happen every time (SettlementService, below).
  describe('pinned interleavings', () => {
    const key = (name: string) => ({ service: PINNED_SERVICE, executionId: `${name}-${run}` });
    const quiet: Logger = { debug: noop, info: noop, warn: noop, error: noop };
    /** A handler with its own clock (minutes past the test's start) and checkpoint mode, over `hooks`. */
    const handlerAt = (minutes: number, pipelineCheckpoints: boolean, hooks: StoreHooks = {}) =>
      createHandler(SettlementService, {
        store: withHooks(store, hooks),
        now: () => pinnedStart + minutes * 60_000,
        pipelineCheckpoints,
        maxInProcessWaitMs: 0,
        logger: quiet,
      });
    const pinnedStart = Date.now();
    const outcomeOf = (running: Promise<unknown>) =>
      running.then(
        (answer) => answer,
        (error: unknown) => error,
      );

    /**
     * Invokes the execution with the id alone (as the sweeper does) on later and later clocks, 20 minutes
     * apart from `minutes` on, until it answers; then checks what every pinned interleaving must end with.
     */
    const expectFinishedOnce = async (executionId: string, minutes: number): Promise<void> => {
      let answer: unknown;
      for (let attempt = 0; attempt < 5; attempt++, minutes += 20) {
        answer = await outcomeOf(handlerAt(minutes, false)({ executionId }));
        if ((answer as { status?: string }).status === 'SUCCEEDED') break;
      }
      expect(
        settlement.effects.filter((effect) => effect === 'charge'),
        'runs of the at-most-once charge',
      ).toEqual(['charge']);
      expect(answer).toEqual({ status: 'SUCCEEDED', executionId, output: 'charged' });
      const journal = await store.loadJournal({ service: PINNED_SERVICE, executionId });
      expect(untrustedPositions(journal), 'positions of the finished journal a replay would not trust').toEqual([]);
    };

    it('a pipelined write that finds the same outcome recorded by an older invocation: the next invocation never charges again', async () => {
      const { executionId } = key('same-outcome');
      settlement.reset(['charge', 'charge']);
      const aClaimed = gate();
      const bLoaded = gate();
      const aWroteDecision = gate();
      const aMayGoOn = gate();
      // A (strict, clock at 0): its decision lands once B has loaded the journal; then it hangs in its charge's
      // first write, as an invocation that outlived its lease.
      const a = outcomeOf(
        handlerAt(0, false, {
          afterClaim: () => aClaimed.open(),
          beforeWrite: async (record) => {
            if (record.position === '1') await bLoaded.promise;
            else await aMayGoOn.promise;
          },
          afterWrite: (record) => {
            if (record.position === '1') aWroteDecision.open();
          },
        })({ executionId, input: {} }),
      );
      await aClaimed.promise;
      // B (pipelined, 20 minutes on: A's lease expired by its clock) takes the same decision; its write of it is
      // refused, the very same outcome standing there (A's). Today it goes on, charges and suspends in the
      // cool-down, but what it records next follows its own decision record, which never stood.
      const b = await outcomeOf(
        handlerAt(20, true, {
          afterLoad: () => bLoaded.open(),
          beforeWrite: async (record) => {
            if (record.position === '1') await aWroteDecision.promise;
          },
        })({ executionId, input: {} }),
      );
      expect(b).toSatisfy(isSuspendedOrBusy);
      // Whoever comes next must replay B's charge if B charged, not distrust it and charge again.
      await expectFinishedOnce(executionId, 40);
      aMayGoOn.open();
      expect(await a).toMatchObject({ code: 'EXECUTION_BUSY' });
      expect(settlement.effects.filter((effect) => effect === 'charge')).toEqual(['charge']);
    });

    it("an older invocation replacing an untrusted record never overwrites a newer one's record there", async () => {
      const { executionId } = key('untrusted-overwrite');
      settlement.reset(['note', 'charge']);
      const xMayGoOn = gate();
      const yWroteDecision = gate();
      const zCharged = gate();
      // X (pipelined, clock at 0) decides 'note' and notes it; its decision's write hangs (as if it died with it
      // under way), so the note it wrote stands untrusted: it follows a decision that never landed.
      const x = outcomeOf(
        handlerAt(0, true, {
          beforeWrite: async (record) => {
            if (record.position === '1') await xMayGoOn.promise;
          },
        })({ executionId, input: {} }),
      );
      await waitForPositions(store, key('untrusted-overwrite'), ['2']);
      // Y (20 minutes on) decides 'charge'; its charge's STARTED record, which is to replace X's untrusted note,
      // is sent only once Z has charged.
      const y = outcomeOf(
        handlerAt(20, false, {
          beforeWrite: async (record) => {
            if (record.position === '2') await zCharged.promise;
          },
          afterWrite: (record) => {
            if (record.position === '1') yWroteDecision.open();
          },
        })({ executionId, input: {} }),
      );
      await yWroteDecision.promise;
      // Z (40 minutes on: Y's lease expired by its clock) replays Y's decision, replaces the untrusted note with
      // its own charge, runs it and suspends in the cool-down.
      const z = await handlerAt(40, false, {
        afterWrite: (record) => {
          if (record.position === '2' && record.status === 'SUCCEEDED') zCharged.open();
        },
      })({ executionId });
      expect(z).toMatchObject({ status: 'SUSPENDED' });
      // Y's write expected X's note there, not Z's charge: it must be refused, and Y stop without charging.
      expect(await y).toMatchObject({ code: 'EXECUTION_BUSY' });
      expect(
        settlement.effects.filter((effect) => effect === 'charge'),
        'runs of the at-most-once charge',
      ).toEqual(['charge']);
      xMayGoOn.open();
      expect(await x).toMatchObject({ code: 'EXECUTION_BUSY' });
      await expectFinishedOnce(executionId, 60);
    });

    it('a record that was untrusted when the journal was loaded, and whose predecessor has landed since, is not overwritten', async () => {
      const { executionId } = key('late-predecessor');
      settlement.reset(['charge', 'charge']);
      const aMayWriteDecision = gate();
      const aDecisionLanded = gate();
      const aCharged = gate();
      // A (pipelined, clock at 0): its decision's write is held back while its preparation's lands.
      const a = outcomeOf(
        handlerAt(0, true, {
          beforeWrite: async (record) => {
            if (record.position === '1') await aMayWriteDecision.promise;
          },
          afterWrite: (record) => {
            if (record.position === '1') aDecisionLanded.open();
            if (record.position === '3' && record.status === 'SUCCEEDED') aCharged.open();
          },
        })({ executionId, input: { prepareFirst: true } }),
      );
      await waitForPositions(store, key('late-predecessor'), ['2']);
      // B (strict, 20 minutes on) loads a journal with A's preparation but not the decision it follows: untrusted.
      // Then A's decision lands, B adopts it, and at position 2 A's preparation follows exactly what B has now.
      // Replacing it breaks the chain of every record A writes after it, though A, alive, goes on with its charge.
      const b = outcomeOf(
        handlerAt(20, false, {
          afterLoad: () => aMayWriteDecision.open(),
          beforeWrite: async (record) => {
            if (record.position === '1') await aDecisionLanded.promise;
            if (record.position === '3') await aCharged.promise;
          },
        })({ executionId, input: { prepareFirst: true } }),
      );
      // Each of them suspends in the cool-down, or is stopped, or finds the execution suspended and leaves it so.
      expect(await b).toSatisfy(isSuspendedOrBusy);
      expect(await a).toSatisfy(isSuspendedOrBusy);
      // A charged on a chain of records a successor must still trust: it replays the charge.
      await expectFinishedOnce(executionId, 40);
    });
  });
});

/** What an invocation that did not finish the execution may answer: suspended, or refused as busy. */
function isSuspendedOrBusy(answer: { status?: string; code?: string }): boolean {
  return answer.status === 'SUSPENDED' || answer.code === 'EXECUTION_BUSY';
}

/** Positions of `journal` a replay would not trust. */
function untrustedPositions(journal: OperationRecord[]): string[] {
  return splitTrusted(journal).untrusted.map((record) => record.position);
}

/** Waits until the journal holds `positions` (a write the test does not hold back lands on its own time). */
async function waitForPositions(store: CheckpointStore, key: ExecutionKey, positions: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const journal = await store.loadJournal(key);
    if (positions.every((position) => journal.some((record) => record.position === position))) return;
    if (Date.now() > deadline) throw new Error(`${key.executionId}: positions ${positions.join(', ')} never landed`);
    await delay(5);
  }
}

const PINNED_SERVICE = 'reliability-skew-pinned';

/** What the pinned interleavings' steps decide and did. */
const settlement = {
  decisions: [] as string[],
  effects: [] as string[],
  reset(decisions: string[]): void {
    this.decisions = [...decisions];
    this.effects = [];
  },
};

/**
 * Decide, then (with `prepareFirst`) prepare, then charge (at-most-once) or note, then a cool-down long enough
 * to suspend the invocation.
 */
@DurableService({ name: PINNED_SERVICE })
class SettlementService {
  @Workflow()
  async settle(ctx: DurableContext, input: { prepareFirst?: boolean }): Promise<string> {
    const plan = await this.decide();
    if (input.prepareFirst === true) await this.prepare();
    const result = plan === 'note' ? await this.note() : await this.charge();
    await ctx.sleep('cool-down', { seconds: 10 });
    return result;
  }

  @Step()
  async prepare(): Promise<string> {
    settlement.effects.push('prepare');
    return 'prepared';
  }

  @Step()
  async decide(): Promise<string> {
    settlement.effects.push('decide');
    return settlement.decisions.shift() ?? 'charge';
  }

  @Step({ semantics: 'at-most-once' })
  async charge(): Promise<string> {
    settlement.effects.push('charge');
    return 'charged';
  }

  @Step()
  async note(): Promise<string> {
    settlement.effects.push('note');
    return 'noted';
  }
}
