import { type Duration, durationToMs } from '../context/duration.js';
import type { Logger } from '../context/logger.js';
import { serviceDefinition } from '../decorators/metadata.js';
import { completeCallback, failCallback } from '../engine/callbacks.js';
import { ConfigurationError, ExecutionNotFoundError, JournalFormatError } from '../errors.js';
import type { DurableHandler, ServiceClass } from '../handler/create-handler.js';
import { InProcessInvoker } from '../handler/in-process-invoker.js';
import { type ExecutionExport, parseExecutionExport } from '../journal/execution-export.js';
import { type ReplayVerdict, replayJournal } from '../replay/replay-journal.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { MemoryStore } from '../stores/memory-store.js';
import { findPendingCallback } from './callback-lookup.js';
import { ManualClock } from './clock.js';
import { CrashingStore, type CrashPoint, type CrashReport, describeCrashPoint } from './crash-points.js';
import { RecordingLogger } from './fixtures.js';
import { readExecution, type TestExecution } from './test-execution.js';
import { CrashPointNotReachedError, RunawayExecutionError } from './test-runner-errors.js';

/** Options of {@link DurableTestRunner}. */
export interface DurableTestRunnerOptions {
  /** The services the runner runs; `ctx.invoke` (and generated clients) between them works in process. */
  services: ServiceClass[];
  /** Where the journals live. Default: a new `MemoryStore`. A `DynamoDbStore` runs the same tests on DynamoDB. */
  store?: CheckpointStore;
  /** Where the virtual clock starts, epoch ms or a Date. Default: the current second of the real clock. */
  startAt?: number | Date;
  /** Where `ctx.logger` and the engine write. Default: a {@link RecordingLogger}, so tests print nothing. */
  logger?: Logger;
  /** Lease of an invocation (`createHandler`'s `leaseMs`): how far `resume` moves the clock after a crash. Default 15 minutes. */
  leaseMs?: number;
  /** `createHandler`'s `maxPayloadBytes`, for callbacks too. Default 2 MiB. */
  maxPayloadBytes?: number;
}

/** How far a run drives an execution. */
export interface RunOptions {
  /** The execution id. Default: `<workflow>-<n>`, unique in this runner. */
  id?: string;
  /**
   * `finished` (default): invoke again after every suspension, moving the virtual clock to its `resumeAt` (sleeps
   * and retry delays take no time), until the execution ends or waits for a callback (never skipping into a
   * callback's timeout). `suspended`: stop at the first suspension (then `advance` and `resume` by hand).
   */
  until?: 'finished' | 'suspended';
  /** Kill the process of the invocation at this point; the run returns the execution as it stands, `RUNNING`. */
  crash?: CrashPoint;
}

/** The methods of a service instance: `run` takes the workflow's method name, so its input and output are typed. */
type MethodName<S> = { [K in keyof S & string]: S[K] extends (...args: never[]) => unknown ? K : never }[keyof S &
  string];
type InputOf<M> = M extends (ctx: never, input: infer I, ...rest: never[]) => unknown ? I : never;
type OutputOf<M> = M extends (...args: never[]) => Promise<infer O> ? O : unknown;

/** Invocations one run may make before it is taken for a loop. */
const MAX_INVOCATIONS_PER_RUN = 1_000;

/**
 * Runs workflows in a test: the services given, over one store, on a virtual clock of the runner's own (no
 * process-wide fake timers: any test framework, any runtime, tests in parallel). Each `run` drives an execution
 * through the engine as Lambda would, invocation after invocation, and returns what the store holds of it as a
 * {@link TestExecution}. Crashes are injected at a checkpoint, callbacks completed by name, exported journals
 * replayed against the code.
 */
export class DurableTestRunner {
  /** The store the journals are in, e.g. to hand to tools under test. */
  readonly store: CheckpointStore;
  /** The runner's virtual clock: what `ctx.now()`, sleeps, retries, leases and timeouts read. */
  readonly clock: ManualClock;
  /** Where the workflows log: the logger passed in, else a {@link RecordingLogger} (cast to read its entries). */
  readonly logger: Logger;
  readonly #services: ServiceClass[];
  readonly #leaseMs: number | undefined;
  readonly #maxPayloadBytes: number | undefined;
  readonly #invoker: InProcessInvoker;
  /** Executions the runner started, by id, with their service's name. */
  readonly #started = new Map<string, string>();
  #ids = 0;

  constructor(options: DurableTestRunnerOptions) {
    if (options.services.length === 0) {
      throw new ConfigurationError('DurableTestRunner: pass the service classes to run in `services`.');
    }
    this.#services = options.services;
    this.store = options.store ?? new MemoryStore();
    const startAt = options.startAt instanceof Date ? options.startAt.getTime() : options.startAt;
    this.clock = startAt === undefined ? new ManualClock() : new ManualClock(startAt);
    this.logger = options.logger ?? new RecordingLogger();
    this.#leaseMs = options.leaseMs;
    this.#maxPayloadBytes = options.maxPayloadBytes;
    this.#invoker = this.#invokerOver(this.store);
  }

  /** The virtual time, epoch ms. */
  now(): number {
    return this.clock.now();
  }

  /** Moves the virtual clock forward by `by` (ms or a Duration such as `{ days: 3 }`); returns the new time. */
  advance(by: number | Duration): number {
    return this.clock.advance(typeof by === 'number' ? by : durationToMs(by, 'runner.advance'));
  }

  /** The Lambda handler of `service` as the runner wires it (its store, clock, invoker), for events of your own. */
  handler(service: ServiceClass): DurableHandler {
    return this.#invoker.handler(this.#serviceName(service));
  }

  /**
   * Starts `workflow` of `service` with `input` and drives it (see {@link RunOptions.until}). A FAILED execution
   * is returned, not thrown: its error is `execution.error`.
   */
  async run<S extends object, W extends MethodName<S>>(
    service: new () => S,
    workflow: W,
    input: InputOf<S[W]>,
    options: RunOptions = {},
  ): Promise<TestExecution<OutputOf<S[W]>>> {
    const serviceName = this.#serviceName(service);
    const definition = serviceDefinition(service);
    const found = definition.workflows.find((w) => w.method === workflow || w.name === workflow);
    if (found === undefined) {
      throw new ConfigurationError(
        `${definition.className}.${workflow} is not a @Workflow; its workflows: ` +
          `${definition.workflows.map((w) => w.method).join(', ') || '(none)'}.`,
      );
    }
    const id = options.id ?? `${found.name}-${++this.#ids}`;
    this.#started.set(id, serviceName);
    const event = { executionId: id, workflow: found.name, input };
    return (await this.#drive(serviceName, id, event, options)) as TestExecution<OutputOf<S[W]>>;
  }

  /**
   * Invokes the execution `id` again and drives it like `run`. After a crash, the virtual clock first moves past
   * the dead invocation's lease, as a real retry comes after Lambda's lease expired.
   */
  async resume(id: string, options: Omit<RunOptions, 'id'> = {}): Promise<TestExecution> {
    const serviceName = this.#serviceOf(id);
    const standing = await readExecution(this.store, { service: serviceName, executionId: id });
    const leaseExpiresAt = Math.max(...heldLeases(standing));
    if (leaseExpiresAt >= this.now()) this.clock.advance(leaseExpiresAt - this.now() + 1);
    return this.#drive(serviceName, id, { executionId: id }, options);
  }

  /** The execution `id` (or a child of one, `<id>/<position>`) as it stands now. */
  async execution(id: string): Promise<TestExecution> {
    const topId = id.split('/')[0]!;
    const top = await readExecution(this.store, { service: this.#serviceOf(topId), executionId: topId });
    const found = [top, ...descendants(top)].find((execution) => execution.id === id);
    if (found === undefined) throw new ExecutionNotFoundError(id, `execution '${topId}' started no such child.`);
    return found;
  }

  /**
   * Completes the pending callback named `nameOrToken` (or the one of that token) with `result`, then resumes its
   * execution and drives it like `run`. With several executions waiting for callbacks of that name, `id` says which.
   */
  async completeCallback(
    nameOrToken: string,
    result: unknown,
    options: Omit<RunOptions, 'id'> & { id?: string } = {},
  ): Promise<TestExecution> {
    if (options.id !== undefined) this.#serviceOf(options.id);
    const { token, topId } = await findPendingCallback(this.store, this.#started, nameOrToken, options.id);
    await completeCallback(this.store, token, result, this.#callbackOptions());
    return this.resume(topId, withoutId(options));
  }

  /** Fails the pending callback (`ctx.waitForCallback` throws `CallbackFailedError`), then resumes as {@link completeCallback}. */
  async failCallback(
    nameOrToken: string,
    error: unknown,
    options: Omit<RunOptions, 'id'> & { id?: string } = {},
  ): Promise<TestExecution> {
    if (options.id !== undefined) this.#serviceOf(options.id);
    const { token, topId } = await findPendingCallback(this.store, this.#started, nameOrToken, options.id);
    await failCallback(this.store, token, error, this.#callbackOptions());
    return this.resume(topId, withoutId(options));
  }

  /**
   * Replays an exported journal (the JSON text of a `durable-gen executions export` file, its parsed value, or
   * `execution.export()`) against the code of `service` as it is now: {@link replayJournal}, with the file checked.
   */
  async replay(service: ServiceClass, exported: string | ExecutionExport | unknown): Promise<ReplayVerdict> {
    const source = 'the journal given to runner.replay';
    let value = exported;
    if (typeof exported === 'string') {
      try {
        value = JSON.parse(exported);
      } catch (error) {
        throw new JournalFormatError(source, '$', `is not JSON (${(error as Error).message})`);
      }
    }
    return replayJournal(service, parseExecutionExport(value, source));
  }

  async #drive(
    serviceName: string,
    id: string,
    firstEvent: Record<string, unknown>,
    options: Omit<RunOptions, 'id'>,
  ): Promise<TestExecution> {
    const key = { service: serviceName, executionId: id };
    const crashing = options.crash === undefined ? undefined : new CrashingStore(this.store, options.crash, id);
    const handler = (crashing === undefined ? this.#invoker : this.#invokerOver(crashing)).handler(serviceName);
    let event = firstEvent;
    for (let invocation = 1; invocation <= MAX_INVOCATIONS_PER_RUN; invocation++) {
      const crash = await this.#invokeOnce(handler, event, key, crashing);
      if (crash !== undefined) return readExecution(this.store, key, crash);
      const execution = await readExecution(this.store, key);
      const isWaitingForTime =
        execution.status === 'SUSPENDED' && execution.pendingCallbacks.length === 0 && execution.resumeAt !== undefined;
      if (!isWaitingForTime || options.until === 'suspended') {
        if (crashing !== undefined) {
          throw new CrashPointNotReachedError(id, describeCrashPoint(options.crash!), crashing.writtenPositions);
        }
        return execution;
      }
      const resumeAt = execution.resumeAt!;
      if (resumeAt > this.now()) this.clock.advance(resumeAt - this.now());
      event = { executionId: id };
    }
    throw new RunawayExecutionError(id, MAX_INVOCATIONS_PER_RUN);
  }

  /** One invocation: its crash report when the injected crash killed it. */
  async #invokeOnce(
    handler: DurableHandler,
    event: Record<string, unknown>,
    key: { service: string; executionId: string },
    crashing: CrashingStore | undefined,
  ): Promise<CrashReport | undefined> {
    const answered = handler(event).then(
      () => ({ kind: 'answered' as const }),
      (error: unknown) => ({ kind: 'threw' as const, error }),
    );
    const outcome =
      crashing === undefined
        ? await answered
        : await Promise.race([answered, crashing.crashed.then((report) => ({ kind: 'crashed' as const, report }))]);
    if (outcome.kind === 'crashed') return outcome.report;
    if (outcome.kind === 'threw') {
      // A FAILED execution throws its error from the handler, as Lambda destinations need; here it is the outcome.
      const record = await this.store.getExecution(key);
      if (record?.status !== 'FAILED') throw outcome.error;
    }
    return undefined;
  }

  #callbackOptions() {
    return {
      now: this.clock.now,
      ...(this.#maxPayloadBytes === undefined ? {} : { maxPayloadBytes: this.#maxPayloadBytes }),
    };
  }

  #invokerOver(store: CheckpointStore): InProcessInvoker {
    return new InProcessInvoker({
      services: this.#services,
      store,
      now: this.clock.now,
      logger: this.logger,
      // Every wait suspends: the runner, not a timer, decides when time passes.
      maxInProcessWaitMs: 0,
      ...(this.#leaseMs === undefined ? {} : { leaseMs: this.#leaseMs }),
      ...(this.#maxPayloadBytes === undefined ? {} : { maxPayloadBytes: this.#maxPayloadBytes }),
    });
  }

  #serviceName(service: ServiceClass): string {
    const name = serviceDefinition(service).name;
    if (!this.#services.some((s) => s === service)) {
      throw new ConfigurationError(
        `DurableTestRunner does not run ${service.name}: add it to \`services\` (it runs ` +
          `${this.#services.map((s) => s.name).join(', ')}).`,
      );
    }
    return name;
  }

  #serviceOf(id: string): string {
    const service = this.#started.get(id);
    if (service === undefined) {
      throw new ExecutionNotFoundError(
        id,
        `this runner never started it (it started: ${[...this.#started.keys()].join(', ') || 'nothing'}).`,
      );
    }
    return service;
  }
}

function withoutId<T extends { id?: string }>(options: T): Omit<T, 'id'> {
  const { id: _id, ...rest } = options;
  return rest;
}

/** The lease ends of every execution in the tree still RUNNING: what a crashed invocation left held. */
function heldLeases(execution: TestExecution): number[] {
  return [execution, ...descendants(execution)].map((e) => e.leaseExpiresAt ?? 0);
}

function descendants(execution: TestExecution): TestExecution[] {
  return execution.children.flatMap((child) => [child, ...descendants(child)]);
}
