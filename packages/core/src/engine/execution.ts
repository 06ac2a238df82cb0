import { nextPosition, type OperationHost, type Scope } from '../context/active-scope.js';
import type { StepDefinition } from '../context/step-options.js';
import type { DurableError } from '../errors.js';
import type { Invoker, InvokeTarget } from '../invoke/invoker.js';
import type { ExecutionKey, OperationRecord, OperationSignature } from '../journal/records.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { Checkpoints } from './checkpoints.js';
import type { ExecutionObserver, OperationEvent } from './observer.js';
import { isFinal, Operation } from './operation.js';
import { waitForCallback } from './operations/callback.js';
import { invoke } from './operations/invoke.js';
import { runAll } from './operations/parallel.js';
import { sleep } from './operations/sleep.js';
import { runStep } from './operations/step.js';
import { recordValue } from './operations/value.js';
import { ReplayState } from './replay-state.js';
import { NEVER, Suspension } from './suspension.js';

/** Why an invocation stops before its workflow returns. */
export type Interruption =
  | { kind: 'suspend'; resumeAt: number }
  /** Ends the execution FAILED whatever the workflow does with the error (non-determinism). */
  | { kind: 'fatal'; error: DurableError }
  /** Ends the invocation without writing more (a store fault, a fenced write): a retry resumes. */
  | { kind: 'stop'; error: unknown };

export interface ExecutionSettings {
  /** The store, guarded: a fault stops the invocation (see stores/store-guard.ts). */
  store: CheckpointStore;
  key: ExecutionKey;
  journal: readonly OperationRecord[];
  /** This invocation's claim epoch (the execution's `invocations` after its claim). */
  epoch: number;
  /** TTL of every record of the execution (its `expiresAt`), when it has one. */
  expiresAt: number | undefined;
  /** Engine-clock time the execution times out: no wait goes past it. */
  timeoutAt: number;
  /** Signs callback tokens (the execution record's secret). */
  callbackSecret: string;
  /** This invocation's lease owner id. */
  owner: string;
  /** ARN the function was invoked with, passed on to child invokes. */
  callerArn: string | undefined;
  now: () => number;
  /** Epoch ms the invocation must be done by, or undefined when it has no time limit. */
  deadline: number | undefined;
  /** Waits longer than this suspend the execution instead of holding the invocation. */
  maxInProcessWaitMs: number;
  maxPayloadBytes: number;
  /** Let at-least-once steps' checkpoint writes overlap the steps that follow (opt-in speed mode). */
  pipelineCheckpoints: boolean;
  invoker: Invoker | undefined;
  observer: ExecutionObserver | undefined;
  /**
   * Replays the journal and runs nothing (replay/replay-journal.ts): a call whose position holds no final outcome
   * parks before its kind does anything, so no step body, callback submit, invoke or new value runs; the other
   * branches and calls go on, and the run suspends once everything is parked or waiting. Only what waits goes on
   * with its record: a started sleep, a callback handed out (its timeout is checked against the code's) and a
   * parallel/map under way (its branches are replayed).
   */
  replayOnly?: boolean;
}

/** Time kept free before the deadline for the writes that end or suspend the invocation. */
const DEADLINE_MARGIN_MS = 1_000;

/**
 * One invocation's run of one execution. Each operation takes its position
 * synchronously when called, so positions follow call order, and goes
 * through {@link begin} (the replay check) and an {@link Operation} (the
 * checkpoint, fencing and adoption); the kinds live in operations/.
 */
export class Execution implements OperationHost {
  readonly root: Scope;
  readonly replay: ReplayState;
  readonly checkpoints: Checkpoints;
  readonly suspension: Suspension;
  readonly settings: ExecutionSettings;
  #ended = false;
  #replayedPositions = 0;
  #interrupt!: (interruption: Interruption) => void;
  /** Settles when the invocation must stop before the workflow returns. */
  readonly interrupted: Promise<Interruption>;

  constructor(settings: ExecutionSettings) {
    this.settings = settings;
    this.root = { execution: this, prefix: '', counter: 0, basis: undefined };
    this.replay = new ReplayState(settings.journal);
    this.checkpoints = new Checkpoints(settings.store, settings.key);
    this.interrupted = new Promise((resolve) => {
      this.#interrupt = (interruption) => {
        if (this.#ended) return;
        this.#ended = true;
        resolve(interruption);
      };
    });
    this.suspension = new Suspension(settings.timeoutAt, (resumeAt) => this.#interrupt({ kind: 'suspend', resumeAt }));
  }

  get key(): ExecutionKey {
    return this.settings.key;
  }

  get executionId(): string {
    return this.settings.key.executionId;
  }

  /** What every record this invocation writes is stamped with. */
  get journalStamp(): { epoch: number; expiresAt: number | undefined } {
    return { epoch: this.settings.epoch, expiresAt: this.settings.expiresAt };
  }

  get maxPayloadBytes(): number {
    return this.settings.maxPayloadBytes;
  }

  /** The engine's clock (`createHandler`'s `now` option): what `ctx.now()` records. */
  clock(): number {
    return this.settings.now();
  }

  get isReplaying(): boolean {
    return this.replay.isReplaying;
  }

  /** Recorded positions the code reached and matched, and went on past, so far. */
  get replayedPositions(): number {
    return this.#replayedPositions;
  }

  /** True once the invocation's outcome is decided: nothing more is run or written. */
  get hasEnded(): boolean {
    return this.#ended;
  }

  /** Stops every later operation. */
  end(): void {
    this.#ended = true;
  }

  /** Ends the execution FAILED with `error` (non-determinism), whatever the workflow does with it. */
  fail(error: DurableError): never {
    this.#interrupt({ kind: 'fatal', error });
    throw error;
  }

  /** Stops the invocation without writing more: a store fault, or a write fenced by another invocation. */
  stop(error: unknown): void {
    this.#interrupt({ kind: 'stop', error });
  }

  /**
   * The shared first stage of every operation: takes the scope's next
   * position, checks it against the journal and returns the operation.
   */
  begin(scope: Scope, signature: OperationSignature, semantics?: 'at-most-once'): Operation {
    if (this.#ended) throw new EndedError();
    const position = nextPosition(scope);
    let recorded: OperationRecord | undefined;
    try {
      recorded = this.replay.take(position, signature) ?? this.replay.takeLate(position, signature, scope.basis);
    } catch (error) {
      this.fail(error as DurableError);
    }
    // The one place a replay stops a call, whatever the kind: before it can run or record anything. Only this
    // call parks, as a wait with no end: an invocation would run it, later, so what follows it in its scope is
    // not reached yet, while other branches and calls already under way go on to be checked.
    if (this.settings.replayOnly === true && !isPassed(recorded)) {
      this.suspension.park();
      throw PARKED;
    }
    if (recorded !== undefined) this.#replayedPositions += 1;
    return new Operation(this, scope, position, signature, scope.basis, recorded, semantics);
  }

  /** Counts an operation as under way (see Suspension). */
  track<T>(work: () => Promise<T>): Promise<T> {
    return this.suspension.track(work);
  }

  /** Waits until every checkpoint write under way has landed: before anything others can observe. */
  async barrier(): Promise<void> {
    await this.checkpoints.settled();
    if (this.#ended) await NEVER;
  }

  /** True when an at-least-once step's checkpoint may be pipelined: the option is on and nothing else runs now. */
  canPipeline(): boolean {
    return this.settings.pipelineCheckpoints && this.suspension.inFlight === 1;
  }

  canWaitInProcess(waitMs: number): boolean {
    if (waitMs > this.settings.maxInProcessWaitMs) return false;
    const { deadline } = this.settings;
    return deadline === undefined || waitMs <= deadline - this.settings.now() - DEADLINE_MARGIN_MS;
  }

  /** Waits until `at` in process, or suspends the execution until then when that is too long. */
  async waitUntil(at: number, waiting?: Operation): Promise<void> {
    const waitMs = at - this.settings.now();
    if (waitMs <= 0) return;
    if (this.canWaitInProcess(waitMs)) return delay(waitMs);
    waiting?.emit('waiting', 1, 0);
    return this.suspension.request(at);
  }

  emit(event: Omit<OperationEvent, 'service' | 'executionId'>): void {
    if (this.#ended) return;
    this.settings.observer?.onOperation?.({ service: this.key.service, executionId: this.executionId, ...event });
  }

  // The operations workflow code calls (DurableContext, @Step): one file each in operations/.

  runStep(scope: Scope, definition: StepDefinition, args: unknown[], body: () => unknown): Promise<unknown> {
    return this.#unlessParked(runStep(this, scope, definition, args, body));
  }

  sleep(scope: Scope, name: string, durationMs: number): Promise<void> {
    return this.#unlessParked(sleep(this, scope, name, durationMs));
  }

  recordValue<T>(scope: Scope, kind: 'now' | 'random' | 'uuid', produce: () => T): Promise<T> {
    return this.#unlessParked(recordValue(this, scope, kind, produce));
  }

  invoke(scope: Scope, target: InvokeTarget, input: unknown): Promise<unknown> {
    return this.#unlessParked(invoke(this, scope, target, input));
  }

  waitForCallback(
    scope: Scope,
    name: string,
    submit: (token: string) => unknown,
    timeoutMs: number | undefined,
  ): Promise<unknown> {
    return this.#unlessParked(waitForCallback(this, scope, name, submit, timeoutMs));
  }

  all<T>(
    scope: Scope,
    kind: 'parallel' | 'map',
    name: string,
    branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
    maxConcurrency: number,
  ): Promise<T[]> {
    return this.#unlessParked(runAll(this, scope, kind, name, branches, maxConcurrency));
  }

  /** An operation's promise as workflow code sees it: a parked call (see {@link begin}) never settles. */
  #unlessParked<T>(operation: Promise<T>): Promise<T> {
    // Only a replay parks; an invocation's operations are handed on untouched, without an extra turn.
    if (this.settings.replayOnly !== true) return operation;
    return operation.catch((error: unknown) => (error === PARKED ? NEVER : Promise.reject(error)));
  }
}

/**
 * True when a replay may hand `recorded` to its kind: it holds the outcome, or it is a wait whose kind runs
 * nothing with a record in hand (a sleep, a callback already handed out, a parallel/map whose branches hold their
 * own records). A started or retrying step is neither: its kind would run the body again.
 */
function isPassed(recorded: OperationRecord | undefined): boolean {
  if (recorded === undefined) return false;
  if (isFinal(recorded)) return true;
  return recorded.status === 'STARTED' && WAITS.has(recorded.kind);
}

const WAITS: ReadonlySet<OperationRecord['kind']> = new Set(['sleep', 'callback', 'parallel', 'map']);

/** Unwinds a replay's parked call from {@link Execution.begin} to its operation's entry (never seen by workflow code). */
const PARKED = Symbol('parked');

/** Thrown into workflow code that keeps calling durable operations after its invocation's outcome was decided. */
class EndedError extends Error {
  constructor() {
    super('This execution has already suspended or ended in this invocation; the operation was not run.');
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
