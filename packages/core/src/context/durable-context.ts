import { randomUUID } from 'node:crypto';
import { ConfigurationError, ContextMisuseError } from '../errors.js';
import type { InvokeTarget } from '../invoke/invoker.js';
import { activeScope, type OperationHost, type Scope } from './active-scope.js';
import { type Duration, durationToMs } from './duration.js';
import type { Logger } from './logger.js';
import { type StepOptions, validateStepOptions } from './step-options.js';

/** Options of {@link DurableContext.map}. */
export interface MapOptions {
  /** At most this many items are processed at once. Default: all. */
  maxConcurrency?: number;
}

/** Options of {@link DurableContext.waitForCallback}. */
export interface CallbackOptions {
  /** Fail with `CallbackTimeoutError` if nobody completes the callback within this time. */
  timeout?: Duration;
}

/**
 * What workflow code may call. Every method that returns a Promise is a
 * durable operation: it takes the next position in the journal, runs once,
 * and on replay returns what it recorded.
 */
export interface DurableContext {
  /** The id of this execution (the event's `executionId`, envelope id or request id). */
  readonly executionId: string;
  /** True while the code is re-running operations the journal already holds. */
  readonly isReplaying: boolean;
  /** Structured logging that stays silent while replaying, so each line is written once. */
  readonly logger: Logger;

  /** A durable timer: the execution sleeps, suspending the invocation if the time is longer than it has left. */
  sleep(name: string, duration: Duration): Promise<void>;
  /** The current time in epoch ms, recorded: replays see the same value. */
  now(): Promise<number>;
  /** A random number in [0, 1), recorded. */
  random(): Promise<number>;
  /** A random UUID v4, recorded. */
  uuid(): Promise<string>;
  /** An inline step: `fn` runs once, its result is recorded (the same as a `@Step` method). */
  step<T>(name: string, fn: () => Promise<T> | T, options?: Omit<StepOptions, 'name'>): Promise<T>;
  /** Runs branches concurrently with deterministic child positions; resolves with their results in order. */
  parallel<T>(name: string, branches: ReadonlyArray<(ctx: DurableContext) => Promise<T>>): Promise<T[]>;
  /** Runs `fn` for each item concurrently (up to `maxConcurrency`); resolves with the results in item order. */
  map<I, O>(
    name: string,
    items: readonly I[],
    fn: (item: I, index: number, ctx: DurableContext) => Promise<O>,
    options?: MapOptions,
  ): Promise<O[]>;
  /**
   * Hands a token to `submit` (e.g. sends it in an approval email), then waits,
   * suspended, until someone calls `completeCallback(store, token, result)`
   * (or `failCallback`: then it throws a `CallbackFailedError` carrying what the
   * completer reported). Resolves with that result. Without a timeout the wait
   * still ends with the execution's own timeout. `submit` runs again if the
   * invocation dies before the wait is recorded: make it idempotent.
   */
  waitForCallback<T>(
    name: string,
    submit: (token: string) => Promise<void> | void,
    options?: CallbackOptions,
  ): Promise<T>;
  /** Runs a workflow of another service as a child execution and resolves with its output (generated stubs call this). */
  invoke<I, O>(target: InvokeTarget, input: I): Promise<O>;
}

/** The context of one execution, bound to a scope (the top level, or a parallel/map branch). */
export class ExecutionContext implements DurableContext {
  readonly logger: Logger;

  constructor(
    readonly execution: OperationHost,
    readonly scope: Scope,
    logger: Logger,
  ) {
    this.logger = logger;
  }

  get executionId(): string {
    return this.execution.executionId;
  }

  get isReplaying(): boolean {
    return this.execution.isReplaying;
  }

  /**
   * The scope to record in: the branch the calling code runs in. A context
   * captured by a branch closure still records in the branch; a context used
   * inside a step's body is an error (the body is not replayed).
   */
  #scope(operation: string): Scope {
    const active = activeScope();
    if (active === undefined || active.execution !== this.execution) return this.scope;
    if (active.inStep !== undefined) {
      throw new ContextMisuseError(
        `ctx.${operation}() was called inside the body of ${active.inStep.startsWith('callback') ? active.inStep : `step '${active.inStep}'`}. ` +
          'A step body runs once and is not replayed, so durable operations inside it cannot be recorded: ' +
          'call them from the workflow, or use plain code (Date.now(), Math.random()) inside the step.',
      );
    }
    return active;
  }

  async sleep(name: string, duration: Duration): Promise<void> {
    const scope = this.#scope('sleep');
    return this.execution.sleep(scope, name, durationToMs(duration, `ctx.sleep('${name}')`));
  }

  async now(): Promise<number> {
    return this.execution.recordValue(this.#scope('now'), 'now', () => this.execution.clock());
  }

  async random(): Promise<number> {
    return this.execution.recordValue(this.#scope('random'), 'random', () => Math.random());
  }

  async uuid(): Promise<string> {
    return this.execution.recordValue(this.#scope('uuid'), 'uuid', () => randomUUID());
  }

  async step<T>(name: string, fn: () => Promise<T> | T, options: Omit<StepOptions, 'name'> = {}): Promise<T> {
    const scope = this.#scope('step');
    validateStepOptions(`ctx.step('${name}')`, options);
    return this.execution.runStep(scope, { name, method: name, options }, [], fn) as Promise<T>;
  }

  async parallel<T>(name: string, branches: ReadonlyArray<(ctx: DurableContext) => Promise<T>>): Promise<T[]> {
    const scope = this.#scope('parallel');
    if (!Array.isArray(branches) || branches.some((b) => typeof b !== 'function')) {
      throw new ConfigurationError(`ctx.parallel('${name}') takes an array of functions (ctx) => Promise.`);
    }
    return this.execution.all(
      scope,
      'parallel',
      name,
      branches.map((branch) => (branchScope: Scope) => branch(this.#child(branchScope))),
      Number.POSITIVE_INFINITY,
    );
  }

  async map<I, O>(
    name: string,
    items: readonly I[],
    fn: (item: I, index: number, ctx: DurableContext) => Promise<O>,
    options: MapOptions = {},
  ): Promise<O[]> {
    const scope = this.#scope('map');
    const limit = options.maxConcurrency ?? Number.POSITIVE_INFINITY;
    if (!Array.isArray(items)) throw new ConfigurationError(`ctx.map('${name}') takes an array of items.`);
    if (!(limit >= 1)) throw new ConfigurationError(`ctx.map('${name}'): maxConcurrency must be >= 1.`);
    return this.execution.all(
      scope,
      'map',
      name,
      items.map((item, index) => (branchScope: Scope) => fn(item, index, this.#child(branchScope))),
      limit,
    );
  }

  async waitForCallback<T>(
    name: string,
    submit: (token: string) => Promise<void> | void,
    options: CallbackOptions = {},
  ): Promise<T> {
    const scope = this.#scope('waitForCallback');
    const timeoutMs =
      options.timeout === undefined ? undefined : durationToMs(options.timeout, `ctx.waitForCallback('${name}')`);
    return this.execution.waitForCallback(scope, name, submit, timeoutMs) as Promise<T>;
  }

  async invoke<I, O>(target: InvokeTarget, input: I): Promise<O> {
    return this.execution.invoke(this.#scope('invoke'), target, input) as Promise<O>;
  }

  #child(scope: Scope): ExecutionContext {
    return new ExecutionContext(this.execution, scope, this.logger);
  }
}
