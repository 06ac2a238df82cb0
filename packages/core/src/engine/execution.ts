import { nextPosition, runInScope, type Scope, type ScopeOwner } from '../context/active-scope.js';
import type { StepDefinition } from '../decorators/metadata.js';
import {
  CallbackTimeoutError,
  ConfigurationError,
  type DurableError,
  ExecutionBusyError,
  NonDeterminismError,
  StepInterruptedError,
  StepTimeoutError,
} from '../errors.js';
import type { Invoker, InvokeTarget } from '../invoke/invoker.js';
import { hashSerialized } from '../journal/hash.js';
import { splitStale } from '../journal/prefix.js';
import type { ExecutionKey, ExpectedOperation, OperationRecord, OperationSignature } from '../journal/records.js';
import { deserialize, serialize, serializeBounded, serializeError } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { guardStore } from '../stores/store-guard.js';
import { encodeCallbackToken } from './callback-token.js';
import type { ExecutionObserver, OperationEvent } from './observer.js';
import { isRetryable, resolveRetryPolicy, retryDelayMs } from './retry.js';

/** Why an invocation stops before its workflow returns. */
export type Interruption =
  | { kind: 'suspend'; resumeAt: number | undefined }
  /** Ends the execution FAILED whatever the workflow does with the error (non-determinism). */
  | { kind: 'fatal'; error: DurableError }
  /** Ends the invocation without writing (a store fault): the journal stays as it was, a retry resumes. */
  | { kind: 'abandon'; error: unknown };

export interface ExecutionSettings {
  store: CheckpointStore;
  key: ExecutionKey;
  journal: readonly OperationRecord[];
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
  /** Let at-least-once steps' checkpoint writes overlap the steps that follow (see #pipeline). */
  pipelineCheckpoints: boolean;
  invoker: Invoker | undefined;
  observer: ExecutionObserver | undefined;
}

/** Time kept free before the deadline for the writes that end or suspend the invocation. */
const DEADLINE_MARGIN_MS = 1_000;
/** How soon a parent looks again at a child that waits for something only the outside can bring. */
const CHILD_POLL_MS = 60_000;

const NEVER: Promise<never> = new Promise<never>(() => {});
/** Pipelined checkpoint writes under way at once, at most. */
const PIPELINE_DEPTH = 8;
/** Unwinds an operation that suspends, up to where it is counted (never seen by workflow code). */
const SUSPENDED = Symbol('suspended');

/**
 * One invocation's run of one execution: the journal it replays from, the
 * positions it consumed, and every durable operation (DESIGN §3). Each
 * operation takes its position synchronously when called, so positions
 * follow call order; replay checks kind, name and argument hash; new
 * results are written with one conditional write each.
 */
export class Execution implements ScopeOwner {
  readonly root: Scope = { execution: this, prefix: '', counter: 0 };
  readonly #settings: ExecutionSettings;
  readonly #store: CheckpointStore;
  readonly #recorded = new Map<string, OperationRecord>();
  /** Positions that have recorded descendants (a parallel/map that was under way). */
  readonly #recordedParents = new Set<string>();
  readonly #consumed = new Set<string>();
  /** Records after a gap (see journal/prefix.ts): not replayed, overwritten when the code gets there. */
  readonly #stale = new Map<string, OperationRecord>();
  /** Checkpoint writes under way that the workflow did not wait for. */
  readonly #pipelined = new Set<Promise<void>>();
  #inFlight = 0;
  #suspendRequested = false;
  #earliestResume: number | undefined;
  #ended = false;
  #interrupt!: (interruption: Interruption) => void;
  /** Settles when the invocation must stop before the workflow returns. */
  readonly interrupted: Promise<Interruption>;

  constructor(settings: ExecutionSettings) {
    this.#settings = settings;
    this.#store = guardStore(settings.store, (error) => this.abandon(error));
    const { live, stale } = splitStale(settings.journal);
    for (const record of stale) this.#stale.set(record.position, record);
    for (const record of live) {
      this.#recorded.set(record.position, record);
      if (!record.position.includes('.')) continue;
      const parts = record.position.split('.');
      for (let i = 1; i < parts.length; i++) this.#recordedParents.add(parts.slice(0, i).join('.'));
    }
    this.interrupted = new Promise((resolve) => {
      this.#interrupt = (interruption) => {
        if (this.#ended) return;
        this.#ended = true;
        resolve(interruption);
      };
    });
  }

  get key(): ExecutionKey {
    return this.#settings.key;
  }

  /** The engine's clock (`createHandler`'s `now` option): what `ctx.now()` records. */
  clock(): number {
    return this.#settings.now();
  }

  /** True while recorded operations remain that the code has not reached again. */
  get isReplaying(): boolean {
    return this.#consumed.size < this.#recorded.size;
  }

  /** Stops every later operation: nothing more is written once the invocation's outcome is decided. */
  end(): void {
    this.#ended = true;
  }

  /** The first recorded position the workflow did not reach, if any. */
  unconsumed(): OperationRecord | undefined {
    for (const [position, record] of this.#recorded) if (!this.#consumed.has(position)) return record;
    return undefined;
  }

  fail(error: DurableError): never {
    this.#interrupt({ kind: 'fatal', error });
    throw error;
  }

  abandon(error: unknown): void {
    this.#interrupt({ kind: 'abandon', error });
  }

  // ---- steps ---------------------------------------------------------------

  async runStep(scope: Scope, definition: StepDefinition, args: unknown[], body: () => unknown): Promise<unknown> {
    const position = nextPosition(scope);
    const what = `step '${definition.name}'`;
    const argsHash = hashSerialized(serialize(args, `the arguments of ${what}`, { canonical: true }));
    const recorded = this.#replay(position, { kind: 'step', name: definition.name, argsHash });
    // Replay's hot path: a recorded outcome is the answer, with nothing in flight to track.
    if (recorded !== undefined && (recorded.status === 'SUCCEEDED' || recorded.status === 'FAILED')) {
      return this.#answer(recorded, 0);
    }
    return this.#track(() => this.#step(scope, position, definition, argsHash, recorded, body));
  }

  async #step(
    scope: Scope,
    position: string,
    definition: StepDefinition,
    argsHash: string,
    recorded: OperationRecord | undefined,
    body: () => unknown,
  ): Promise<unknown> {
    const { name, options } = definition;
    const isAtMostOnce = options.semantics === 'at-most-once';
    const policy = resolveRetryPolicy(options.retry, isAtMostOnce);
    const base = { position, kind: 'step' as const, name, argsHash };
    let attempt = 1;
    let expected: ExpectedOperation = null;

    if (recorded !== undefined) {
      switch (recorded.status) {
        case 'RETRYING':
          await this.#waitUntil(recorded.retryAt ?? 0);
          attempt = recorded.attempt + 1;
          expected = { status: 'RETRYING', attempt: recorded.attempt };
          break;
        case 'STARTED': {
          // An invocation died inside this at-most-once step: whether it took effect is unknown.
          if (recorded.attempt >= policy.maxAttempts) {
            const error = new StepInterruptedError(name, position, recorded.attempt);
            return this.#record(
              { ...base, attempt: recorded.attempt },
              { error },
              { status: 'STARTED', attempt: recorded.attempt },
              0,
            );
          }
          attempt = recorded.attempt + 1;
          expected = { status: 'STARTED', attempt: recorded.attempt };
          break;
        }
      }
    }

    // An at-most-once step's effect must not happen before the checkpoints it follows are safe.
    if (isAtMostOnce) await this.#barrier();
    for (;;) {
      const startedAt = Date.now();
      if (isAtMostOnce) {
        const started: OperationRecord = {
          ...base,
          status: 'STARTED',
          attempt,
          owner: this.#settings.owner,
          updatedAt: this.#settings.now(),
        };
        const outcome = await this.#write(started, expected);
        // A write whose answer was lost and retried finds itself standing there: that is success, not a rival.
        const isOwnWrite =
          !outcome.ok &&
          outcome.current?.status === 'STARTED' &&
          outcome.current.attempt === attempt &&
          outcome.current.owner === this.#settings.owner;
        if (!outcome.ok && !isOwnWrite) return this.#adopt(outcome.current, position);
        expected = { status: 'STARTED', attempt };
      }
      let result: { value: unknown } | { error: unknown };
      try {
        const stepScope: Scope = { execution: this, prefix: scope.prefix, counter: 0, inStep: name };
        result = { value: await withTimeout(runInScope(stepScope, body), name, options.timeoutMs) };
      } catch (error) {
        result = { error };
      }
      // An at-least-once step may run again anyway: with pipelining on, its checkpoint need not hold up the next step.
      const pipelined = this.#settings.pipelineCheckpoints && !isAtMostOnce;
      if ('value' in result) {
        return this.#record({ ...base, attempt }, result, expected, Date.now() - startedAt, pipelined);
      }
      if (!isRetryable(result.error) || attempt >= policy.maxAttempts) {
        return this.#record({ ...base, attempt }, result, expected, Date.now() - startedAt, pipelined);
      }
      this.#emit({ ...base, outcome: 'retrying', attempt, durationMs: Date.now() - startedAt });
      const delayMs = retryDelayMs(policy, attempt);
      if (!this.#canWaitInProcess(delayMs)) {
        // Too long to hold the invocation: record the failed attempt and when to try again, then suspend.
        const retryAt = this.#settings.now() + delayMs;
        const retrying: OperationRecord = {
          ...base,
          status: 'RETRYING',
          attempt,
          retryAt,
          error: serializeError(result.error),
          updatedAt: this.#settings.now(),
        };
        const outcome = await this.#write(retrying, expected);
        if (!outcome.ok) return this.#adopt(outcome.current, position);
        return this.#suspend(retryAt);
      }
      await delay(delayMs);
      attempt += 1;
    }
  }

  // ---- time, randomness ------------------------------------------------------

  async sleep(scope: Scope, name: string, durationMs: number): Promise<void> {
    const position = nextPosition(scope);
    const recorded = this.#replay(position, { kind: 'sleep', name, argsHash: '' });
    return this.#track(async () => {
      await this.#barrier();
      let wakeAt = recorded?.wakeAt;
      if (wakeAt === undefined) {
        wakeAt = this.#settings.now() + durationMs;
        const record: OperationRecord = {
          position,
          kind: 'sleep',
          name,
          argsHash: '',
          status: 'STARTED',
          attempt: 1,
          wakeAt,
          updatedAt: this.#settings.now(),
        };
        const outcome = await this.#write(record, null);
        if (!outcome.ok) wakeAt = outcome.current?.wakeAt ?? wakeAt;
      }
      const startedAt = Date.now();
      await this.#waitUntil(wakeAt, { position, kind: 'sleep', name });
      this.#emit({
        position,
        kind: 'sleep',
        name,
        outcome: recorded === undefined ? 'executed' : 'replayed',
        attempt: 1,
        durationMs: Date.now() - startedAt,
      });
    });
  }

  /** `now`, `random`, `uuid`: a value produced once and recorded, so replays see the same one. */
  async recordValue<T>(scope: Scope, kind: 'now' | 'random' | 'uuid', produce: () => T): Promise<T> {
    const position = nextPosition(scope);
    const recorded = this.#replay(position, { kind, name: kind, argsHash: '' });
    return this.#track(async () => {
      if (recorded !== undefined) return this.#answer(recorded, 0) as T;
      return this.#record(
        { position, kind, name: kind, argsHash: '', attempt: 1 },
        { value: produce() },
        null,
        0,
        this.#settings.pipelineCheckpoints,
      ) as T;
    });
  }

  // ---- child workflows -------------------------------------------------------

  async invoke(scope: Scope, target: InvokeTarget, input: unknown): Promise<unknown> {
    const position = nextPosition(scope);
    const name = `${target.service}.${target.workflow}`;
    const argsHash = hashSerialized(serialize(input, `the input of invoke '${name}'`, { canonical: true }));
    const recorded = this.#replay(position, { kind: 'invoke', name, argsHash });
    return this.#track(async () => {
      if (recorded !== undefined && (recorded.status === 'SUCCEEDED' || recorded.status === 'FAILED')) {
        return this.#answer(recorded, 0);
      }
      const invoker = this.#settings.invoker;
      if (invoker === undefined) {
        throw new ConfigurationError(
          `ctx.invoke('${name}') needs an invoker: pass createHandler(..., { invoker }) (the generated handlers do), ` +
            'or an InProcessInvoker for local runs and tests.',
        );
      }
      await this.#barrier();
      const startedAt = Date.now();
      let outcome: Awaited<ReturnType<Invoker['invoke']>>;
      try {
        outcome = await invoker.invoke({
          target,
          executionId: `${this.key.executionId}/${position}`,
          input,
          parent: this.key,
          ...(this.#settings.callerArn === undefined ? {} : { callerArn: this.#settings.callerArn }),
          ...(this.#settings.deadline === undefined
            ? {}
            : { remainingMs: this.#settings.deadline - this.#settings.now() }),
        });
      } catch (error) {
        // The child could not be reached or is busy: nothing is recorded, a later invocation tries again.
        this.abandon(error);
        return NEVER;
      }
      const base = { position, kind: 'invoke' as const, name, argsHash, attempt: 1 };
      const durationMs = Date.now() - startedAt;
      switch (outcome.status) {
        case 'SUCCEEDED':
          return this.#record(base, { value: outcome.output }, null, durationMs);
        case 'FAILED':
          return this.#record(base, { error: outcome.error }, null, durationMs);
        case 'SUSPENDED':
          this.#emit({ ...base, outcome: 'waiting', durationMs });
          return this.#suspend(outcome.resumeAt ?? this.#settings.now() + CHILD_POLL_MS);
      }
    });
  }

  // ---- callbacks -------------------------------------------------------------

  async waitForCallback(
    scope: Scope,
    name: string,
    submit: (token: string) => unknown,
    timeoutMs: number | undefined,
  ): Promise<unknown> {
    const position = nextPosition(scope);
    const recorded = this.#replay(position, { kind: 'callback', name, argsHash: '' });
    return this.#track(async () => {
      let current = recorded;
      if (current === undefined) {
        await this.#barrier();
        const token = encodeCallbackToken({ ...this.key, position, name }, this.#settings.callbackSecret);
        const stepScope: Scope = { execution: this, prefix: scope.prefix, counter: 0, inStep: `callback ${name}` };
        try {
          await runInScope(stepScope, () => submit(token));
        } catch (error) {
          return this.#record({ position, kind: 'callback', name, argsHash: '', attempt: 1 }, { error }, null, 0);
        }
        const started: OperationRecord = {
          position,
          kind: 'callback',
          name,
          argsHash: '',
          status: 'STARTED',
          attempt: 1,
          updatedAt: this.#settings.now(),
          ...(timeoutMs === undefined ? {} : { timeoutAt: this.#settings.now() + timeoutMs }),
        };
        const outcome = await this.#write(started, null);
        // The callback may have been completed before this record was written: then it stands there already.
        current = outcome.ok ? started : outcome.current;
      }
      if (current === undefined) return this.#adopt(undefined, position);
      if (current.status === 'SUCCEEDED' || current.status === 'FAILED') return this.#answer(current, 0);
      if (current.timeoutAt !== undefined && this.#settings.now() >= current.timeoutAt) {
        const error = new CallbackTimeoutError(name, timeoutMs ?? current.timeoutAt - current.updatedAt);
        return this.#record(
          { position, kind: 'callback', name, argsHash: '', attempt: 1 },
          { error },
          { status: 'STARTED', attempt: 1 },
          0,
        );
      }
      this.#emit({ position, kind: 'callback', name, outcome: 'waiting', attempt: 1, durationMs: 0 });
      return this.#suspend(current.timeoutAt);
    });
  }

  // ---- parallel and map --------------------------------------------------------

  /**
   * Runs branches concurrently, each in its own scope (`<position>.<branch>`), so
   * their operations keep the same positions whatever order they finish in.
   * Waits for every branch; if any failed, throws the failure of the first
   * failing branch by index. A marker record at the position keeps its kind
   * and name for the replay check.
   */
  async all<T>(
    scope: Scope,
    kind: 'parallel' | 'map',
    name: string,
    branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
    maxConcurrency: number,
  ): Promise<T[]> {
    const position = nextPosition(scope);
    const argsHash = hashSerialized(String(branches.length));
    const recorded = this.#replay(position, { kind, name, argsHash });
    const settled: PromiseSettledResult<T>[] = new Array(branches.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < branches.length) {
        const index = next++;
        const branchScope: Scope = { execution: this, prefix: `${position}.${index + 1}`, counter: 0 };
        try {
          const branch = branches[index]!;
          settled[index] = { status: 'fulfilled', value: await runInScope(branchScope, () => branch(branchScope)) };
        } catch (reason) {
          settled[index] = { status: 'rejected', reason };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(maxConcurrency, branches.length)) }, worker));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (recorded === undefined && !this.#ended) {
      const marker: OperationRecord = {
        position,
        kind,
        name,
        argsHash,
        status: failure === undefined ? 'SUCCEEDED' : 'FAILED',
        attempt: 1,
        updatedAt: this.#settings.now(),
      };
      await this.#track(() => this.#write(marker, null));
    }
    this.#emit({
      position,
      kind,
      name,
      outcome: recorded === undefined ? (failure === undefined ? 'executed' : 'failed') : 'replayed',
      attempt: 1,
      durationMs: 0,
    });
    if (failure !== undefined) throw failure.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }

  // ---- the replay check and the journal ---------------------------------------

  /** The recorded operation at `position`, after checking it is the one the code calls now. */
  #replay(position: string, actual: OperationSignature): OperationRecord | undefined {
    if (this.#ended) throw new EndedError();
    const recorded = this.#recorded.get(position);
    if (recorded === undefined) {
      if (this.#recordedParents.has(position) && actual.kind !== 'parallel' && actual.kind !== 'map') {
        this.fail(new NonDeterminismError(position, { kind: 'parallel', name: '(unfinished)', argsHash: '' }, actual));
      }
      return undefined;
    }
    this.#consumed.add(position);
    if (recorded.kind !== actual.kind || recorded.name !== actual.name || recorded.argsHash !== actual.argsHash) {
      this.fail(
        new NonDeterminismError(
          position,
          { kind: recorded.kind, name: recorded.name, argsHash: recorded.argsHash },
          actual,
        ),
      );
    }
    return recorded;
  }

  /** Returns a final record's result, or throws its error. */
  #answer(record: OperationRecord, durationMs: number): unknown {
    this.#emit({
      position: record.position,
      kind: record.kind,
      name: record.name,
      outcome: 'replayed',
      attempt: record.attempt,
      durationMs,
    });
    if (record.status === 'FAILED') throw deserialize(record.error ?? 'null');
    return deserialize(record.result ?? '{"$t":"undefined"}');
  }

  /**
   * Records a final outcome with one conditional write, and returns (or throws)
   * it as a replay would: the value after a round trip through the journal, so
   * the first run and every replay see the same thing.
   */
  async #record(
    base: Omit<OperationRecord, 'status' | 'updatedAt'>,
    outcome: { value: unknown } | { error: unknown },
    expected: ExpectedOperation,
    durationMs: number,
    pipelined = false,
  ): Promise<unknown> {
    let record: OperationRecord;
    if ('value' in outcome) {
      let result: string | undefined;
      let failure: unknown;
      try {
        result = serializeBounded(
          outcome.value,
          `the result of ${base.kind} '${base.name}'`,
          this.#settings.maxPayloadBytes,
        );
      } catch (error) {
        failure = error;
      }
      record =
        result === undefined
          ? { ...base, status: 'FAILED', error: serializeError(failure), updatedAt: this.#settings.now() }
          : { ...base, status: 'SUCCEEDED', result, updatedAt: this.#settings.now() };
    } else {
      record = { ...base, status: 'FAILED', error: serializeError(outcome.error), updatedAt: this.#settings.now() };
    }
    const landed = () =>
      this.#emit({
        position: base.position,
        kind: base.kind,
        name: base.name,
        outcome: record.status === 'SUCCEEDED' ? 'executed' : 'failed',
        attempt: base.attempt,
        durationMs,
      });
    if (pipelined) {
      await this.#pipeline(record, expected, landed);
    } else {
      const written = await this.#write(record, expected);
      if (!written.ok) return this.#adopt(written.current, base.position);
      landed();
    }
    if (record.status === 'FAILED') throw deserialize(record.error!);
    return deserialize(record.result!);
  }

  /**
   * Starts a checkpoint write without waiting for it, so the workflow goes on
   * to its next step while the write is under way. Durable operations that
   * are not at-least-once steps wait for every such write first (see
   * {@link drain}); so does the end of the invocation. At most
   * {@link PIPELINE_DEPTH} writes are under way at once.
   */
  async #pipeline(record: OperationRecord, expected: ExpectedOperation, landed: () => void): Promise<void> {
    while (this.#pipelined.size >= PIPELINE_DEPTH) await Promise.race(this.#pipelined);
    if (this.#ended) return;
    const write = this.#write(record, expected).then(
      (outcome) => {
        // Progress reports a step once its checkpoint is safe, as without pipelining.
        if (outcome.ok || sameOutcome(outcome.current, record)) return landed();
        // Another invocation recorded something else here, and this one already went on with its own value.
        this.abandon(
          new ExecutionBusyError(
            this.key.executionId,
            undefined,
            `position ${record.position} was recorded by another invocation`,
          ),
        );
      },
      () => {}, // the store guard already stopped the invocation
    );
    const tracked = write.finally(() => this.#pipelined.delete(tracked));
    this.#pipelined.add(tracked);
  }

  /** Waits until every pipelined checkpoint write has landed (or the invocation was stopped). */
  async drain(): Promise<void> {
    while (this.#pipelined.size > 0) await Promise.all(this.#pipelined);
  }

  /** A write lost the race: another invocation recorded this position first. Its outcome is the outcome. */
  #adopt(current: OperationRecord | undefined, position: string): Promise<unknown> | unknown {
    if (current !== undefined && (current.status === 'SUCCEEDED' || current.status === 'FAILED')) {
      return this.#answer(current, 0);
    }
    // Another invocation is inside this operation right now (it took over an expired lease): let it finish.
    this.abandon(
      new ExecutionBusyError(
        this.key.executionId,
        undefined,
        `position ${position} is being run by another invocation`,
      ),
    );
    return NEVER;
  }

  async #write(record: OperationRecord, expected: ExpectedOperation) {
    if (this.#ended) return NEVER;
    const stale = this.#stale.get(record.position);
    if (stale !== undefined && expected === null) {
      // What stands there was left after a gap by a dead invocation: replace it.
      this.#stale.delete(record.position);
      return this.#store.writeOperation(this.key, record, { status: stale.status, attempt: stale.attempt });
    }
    return this.#store.writeOperation(this.key, record, expected);
  }

  /** Waits for pipelined writes before an operation others can observe or that must follow them in the journal. */
  async #barrier(): Promise<void> {
    if (this.#pipelined.size > 0) await this.drain();
  }

  // ---- waiting and suspension ---------------------------------------------------

  #canWaitInProcess(waitMs: number): boolean {
    if (waitMs > this.#settings.maxInProcessWaitMs) return false;
    const { deadline } = this.#settings;
    return deadline === undefined || waitMs <= deadline - this.#settings.now() - DEADLINE_MARGIN_MS;
  }

  async #waitUntil(at: number, waiting?: Pick<OperationEvent, 'position' | 'kind' | 'name'>): Promise<void> {
    const waitMs = at - this.#settings.now();
    if (waitMs <= 0) return;
    if (this.#canWaitInProcess(waitMs)) return delay(waitMs);
    if (waiting !== undefined) this.#emit({ ...waiting, outcome: 'waiting', attempt: 1, durationMs: 0 });
    return this.#suspend(at);
  }

  /**
   * Asks to suspend until `resumeAt` (undefined: until something from outside
   * resumes it). The invocation suspends once no other operation is under way,
   * so concurrent branches still record what they can; the caller never resumes.
   */
  #suspend(resumeAt: number | undefined): Promise<never> {
    this.#suspendRequested = true;
    if (resumeAt !== undefined) {
      this.#earliestResume = this.#earliestResume === undefined ? resumeAt : Math.min(this.#earliestResume, resumeAt);
    }
    return Promise.reject(SUSPENDED);
  }

  /**
   * Counts an operation as under way while `work` runs. An operation that
   * suspends leaves the count (its caller waits forever: the invocation ends
   * before it would resume).
   */
  async #track<T>(work: () => Promise<T>): Promise<T> {
    this.#inFlight += 1;
    try {
      return await work();
    } catch (error) {
      if (error === SUSPENDED) return NEVER;
      throw error;
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#checkIdleSoon();
    }
  }

  #checkIdleSoon(): void {
    if (!this.#suspendRequested) return;
    // After pending microtasks (continuations that start further operations) have run.
    setImmediate(() => {
      if (this.#inFlight === 0 && this.#suspendRequested) {
        this.#interrupt({ kind: 'suspend', resumeAt: this.#earliestResume });
      }
    });
  }

  #emit(event: Omit<OperationEvent, 'service' | 'executionId'>): void {
    if (this.#ended) return;
    this.#settings.observer?.onOperation?.({ service: this.key.service, executionId: this.key.executionId, ...event });
  }
}

/** Thrown into workflow code that keeps calling durable operations after its invocation's outcome was decided. */
class EndedError extends Error {
  constructor() {
    super('This execution has already suspended or ended in this invocation; the operation was not run.');
  }
}

/** True when `current` records the same final outcome as `mine`. */
function sameOutcome(current: OperationRecord | undefined, mine: OperationRecord): boolean {
  return (
    current !== undefined &&
    current.status === mine.status &&
    current.result === mine.result &&
    current.error === mine.error
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: T | Promise<T>, stepName: string, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(stepName, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
