/**
 * The runtime half of `durable-gen dev`: runs invocations of one function version in child processes, as
 * Lambda's execution environments. The dev server (control plane, HTTP) calls {@link createFunctionRunner}
 * once per version it serves and hands it each invocation.
 */
import { type ChildFailure, type LambdaErrorJson, RUNTIME_DIR, RuntimeChild } from './child-process.js';
import { endLine, InvocationLog, reportLine, startLine, timedOutLine } from './invocation-log.js';
import { lambdaEnvironment, lambdaNodeFlags, newLogStreamName } from './lambda-environment.js';
import { describeExit, exitError, INIT_TIMEOUT_SECONDS, timedOutError } from './lambda-errors.js';
import { DevRuntimeError } from './runtime-error.js';

/** Everything needed to run one published version (or $LATEST) of a function. */
export interface RunnableVersion {
  functionName: string;
  /** '$LATEST' or a published version number as a string. */
  version: string;
  /** The unqualified function ARN. */
  functionArn: string;
  /** Folder holding the unzipped code of exactly this version. */
  codeDir: string;
  /** Lambda's `Handler`, e.g. 'index.handler'. */
  handler: string;
  /** Seconds; the invocation is killed at the deadline (Sandbox.Timedout). */
  timeoutSeconds: number;
  memorySizeMb: number;
  /** The function's own variables (Environment.Variables), before the reserved ones are added. */
  environment: Record<string, string>;
}

/** One invocation handed to the runtime. */
export interface RunRequest {
  requestId: string;
  /** What the caller invoked (an alias ARN stays an alias ARN): `context.invokedFunctionArn`. */
  invokedFunctionArn: string;
  payload: Uint8Array;
  /**
   * Keep the invocation's lines in `RunOutcome.log` only, without printing them: the sweeper's invocations,
   * every second for every service, would bury everything else. It prints them when a sweep goes wrong.
   */
  quiet?: boolean;
}

/** What came back. A function error is not a rejection: `functionError` is set and `payload` holds the error JSON. */
export interface RunOutcome {
  payload: Uint8Array;
  /** 'Unhandled' when the handler threw, timed out (Sandbox.Timedout) or its process died (Runtime.ExitError). */
  functionError?: 'Unhandled';
  /** The invocation's log lines (START … REPORT), for `LogType: Tail`. */
  log: string;
}

/** Runs invocations of one version, each in a child process of its own environment (warm ones are reused). */
export interface FunctionRunner {
  run(request: RunRequest): Promise<RunOutcome>;
  /** Kills every child process of this version. */
  close(): Promise<void>;
}

/** Where and how a runner runs its children. */
export interface FunctionRunnerOptions {
  /** The dev server's URL: the function's Lambda and DynamoDB clients are pointed at it. */
  endpointUrl: string;
  region: string;
  /** The account the ARNs name. Lambda exposes it to no function variable, so neither does dev. */
  accountId: string;
  /** Receives every line the function and its runtime print, prefixed `[function:version]`. */
  log: (line: string) => void;
  /** Execution environments at once (default 4); further invocations wait for one to be free. */
  maxChildren?: number;
  /** A warm child unused this long is stopped, its memory given back (default 10 minutes). */
  idleTimeoutMs?: number;
}

const DEFAULT_MAX_CHILDREN = 4;
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * The runner of `version`: each invocation runs in a child process of Lambda's environment (see
 * lambda-environment.ts), one invocation at a time per child; a warm child is reused, and concurrent
 * invocations start more children up to `maxChildren`. A function error (a throw, the timeout, a dead process,
 * a module that fails to import) is an outcome with `functionError: 'Unhandled'`, never a rejection; `run`
 * rejects only once the runner is closed.
 */
export function createFunctionRunner(version: RunnableVersion, options: FunctionRunnerOptions): FunctionRunner {
  return new ChildPoolRunner(version, options);
}

/** One execution environment of the pool, and the log of the invocation it serves. */
interface Slot {
  child: RuntimeChild;
  log: InvocationLog | undefined;
  isCold: boolean;
  isDiscarded: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

interface Waiter {
  resolve(slot: Slot): void;
  reject(error: Error): void;
}

class ChildPoolRunner implements FunctionRunner {
  private readonly slots = new Set<Slot>();
  /** Free warm children; the last freed is taken first, as it is the warmest. */
  private readonly idle: Slot[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly prefix: string;
  private readonly maxChildren: number;
  private isClosed = false;

  constructor(
    private readonly version: RunnableVersion,
    private readonly options: FunctionRunnerOptions,
  ) {
    this.prefix = `[${version.functionName}:${version.version}]`;
    this.maxChildren = Math.max(1, options.maxChildren ?? DEFAULT_MAX_CHILDREN);
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    if (this.isClosed) throw this.closedError();
    const slot = await this.acquire();
    try {
      return await this.runOn(slot, request);
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.isClosed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.closedError());
    const slots = [...this.slots];
    for (const slot of slots) this.discard(slot);
    await Promise.all(slots.map((slot) => slot.child.kill()));
  }

  private async runOn(slot: Slot, request: RunRequest): Promise<RunOutcome> {
    const { requestId } = request;
    const log = new InvocationLog(request.quiet === true);
    slot.log = log;
    let initDurationMs: number | undefined;
    if (slot.isCold) {
      slot.isCold = false;
      const init = await slot.child.init;
      initDurationMs = init.durationMs;
      if (init.kind !== 'ready') {
        this.runtimeLine(log, startLine(requestId, this.version.version));
        const error = this.failureError(init, requestId, INIT_TIMEOUT_SECONDS, log);
        this.runtimeLine(log, endLine(requestId));
        this.runtimeLine(
          log,
          reportLine({ ...this.report(requestId, 0), initDurationMs, status: statusOf(init, error) }),
        );
        return { payload: encodeJson(error), functionError: 'Unhandled', log: log.text() };
      }
    }
    this.runtimeLine(log, startLine(requestId, this.version.version));
    const timeoutMs = this.version.timeoutSeconds * 1000;
    const startedAt = performance.now();
    const end = await slot.child.invoke(
      {
        requestId,
        invokedFunctionArn: request.invokedFunctionArn,
        payload: new TextDecoder().decode(request.payload),
        deadline: Date.now() + timeoutMs,
      },
      timeoutMs,
    );
    const report = { ...this.report(requestId, performance.now() - startedAt), initDurationMs };
    if (end.kind === 'result') {
      this.runtimeLine(log, endLine(requestId));
      this.runtimeLine(log, reportLine({ ...report, maxMemoryUsedMb: megabytes(end.maxRssKb) }));
      return { payload: new TextEncoder().encode(end.payload), log: log.text() };
    }
    const error = this.failureError(end, requestId, this.version.timeoutSeconds, log);
    this.runtimeLine(log, endLine(requestId));
    const maxMemoryUsedMb = end.kind === 'error' ? megabytes(end.maxRssKb) : undefined;
    this.runtimeLine(log, reportLine({ ...report, maxMemoryUsedMb, status: statusOf(end, error) }));
    return { payload: encodeJson(error), functionError: 'Unhandled', log: log.text() };
  }

  /** The error JSON of a failed init or invocation; a timeout or an exit also gets Lambda's own log lines. */
  private failureError(
    failure: ChildFailure,
    requestId: string,
    timeoutSeconds: number,
    log: InvocationLog,
  ): LambdaErrorJson {
    switch (failure.kind) {
      case 'error':
        return failure.error;
      case 'timeout':
        this.runtimeLine(log, timedOutLine(requestId, timeoutSeconds));
        return timedOutError(requestId, timeoutSeconds);
      case 'exit': {
        const error = exitError(requestId, failure.code, failure.signal);
        this.runtimeLine(log, error.errorMessage);
        this.runtimeLine(log, error.errorType);
        return error;
      }
    }
  }

  private report(requestId: string, durationMs: number) {
    return { requestId, durationMs, memorySizeMb: this.version.memorySizeMb };
  }

  private acquire(): Promise<Slot> {
    const warm = this.idle.pop();
    if (warm !== undefined) {
      clearTimeout(warm.idleTimer);
      return Promise.resolve(warm);
    }
    if (this.slots.size < this.maxChildren) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(slot: Slot): void {
    slot.log = undefined;
    if (this.isClosed || !slot.child.isUsable) {
      this.discard(slot);
      void slot.child.kill();
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      waiter.resolve(slot);
      return;
    }
    slot.idleTimer = setTimeout(() => {
      this.discard(slot);
      void slot.child.kill();
    }, this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    slot.idleTimer.unref();
    this.idle.push(slot);
  }

  private spawn(): Slot {
    const version = this.version;
    const env = lambdaEnvironment(version, {
      region: this.options.region,
      endpointUrl: this.options.endpointUrl,
      logStreamName: newLogStreamName(version.version),
      runtimeDir: RUNTIME_DIR,
    });
    const slot: Slot = {
      child: new RuntimeChild({
        codeDir: version.codeDir,
        env,
        execArgv: lambdaNodeFlags(version),
        initTimeoutMs: INIT_TIMEOUT_SECONDS * 1000,
        // A child serves one invocation at a time, so its lines belong to the one it serves, whatever the
        // other children print meanwhile. (Lines arrive in later events, once `slot` is assigned.)
        onLine: (line) => {
          if (slot.log?.isQuiet !== true) this.printLine(line);
          slot.log?.add(line);
        },
      }),
      log: undefined,
      isCold: true,
      isDiscarded: false,
      idleTimer: undefined,
    };
    slot.child.onIdleExit((code, signal) => {
      if (slot.isDiscarded) return;
      this.printLine(`${describeExit(code, signal)} between invocations; the next one starts a fresh process`);
      this.discard(slot);
    });
    this.slots.add(slot);
    return slot;
  }

  /** Forgets a slot; a waiting invocation takes the room it leaves. */
  private discard(slot: Slot): void {
    if (slot.isDiscarded) return;
    slot.isDiscarded = true;
    clearTimeout(slot.idleTimer);
    this.slots.delete(slot);
    const index = this.idle.indexOf(slot);
    if (index >= 0) this.idle.splice(index, 1);
    const waiter = this.isClosed ? undefined : this.waiting.shift();
    if (waiter !== undefined) waiter.resolve(this.spawn());
  }

  private runtimeLine(log: InvocationLog, line: string): void {
    if (!log.isQuiet) this.printLine(line);
    log.add(line);
  }

  private printLine(line: string): void {
    for (const physical of line.split('\n')) this.options.log(`${this.prefix} ${physical}`);
  }

  private closedError(): DevRuntimeError {
    return new DevRuntimeError(
      'RUNNER_CLOSED',
      `The runner of ${this.version.functionName}:${this.version.version} is closed (the dev server is stopping, ` +
        'or this version was replaced); invoke again once the server is up.',
    );
  }
}

function statusOf(failure: ChildFailure, error: LambdaErrorJson) {
  if (failure.kind === 'timeout') return { kind: 'timeout' as const };
  // A handler's own throw is an ordinary end for Lambda's REPORT; only the runtime's failures get a status.
  if (failure.kind === 'error' && !error.errorType.startsWith('Runtime.')) return undefined;
  return { kind: 'error' as const, errorType: error.errorType };
}

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function megabytes(kilobytes: number | undefined): number | undefined {
  return kilobytes === undefined ? undefined : Math.round(kilobytes / 1024);
}
