import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the runtime's plain .mjs files, Lambda's `LAMBDA_RUNTIME_DIR`. Three levels up from this file,
 * in src/dev/runtime as in dist/dev/runtime: packages/cli/runtime/.
 */
export const RUNTIME_DIR = fileURLToPath(new URL('../../../runtime/', import.meta.url));

const BOOTSTRAP = path.join(RUNTIME_DIR, 'bootstrap.mjs');

/** Lambda's error JSON, the payload of a function error. */
export interface LambdaErrorJson {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** How a child stopped serving an invocation (or its init) without a result. */
export type ChildFailure =
  | { kind: 'error'; error: LambdaErrorJson; maxRssKb?: number }
  | { kind: 'timeout' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

/** The end of one invocation in a child. */
export type InvocationEnd = { kind: 'result'; payload: string; maxRssKb: number } | ChildFailure;

/** The end of a child's init: the handler imported, or why not. */
export type InitEnd = ({ kind: 'ready' } | ChildFailure) & { durationMs: number };

/** What a child is started with. */
export interface ChildOptions {
  codeDir: string;
  env: Record<string, string>;
  execArgv: string[];
  /** Limit of the init (the handler's import): Lambda gives 10 s. */
  initTimeoutMs: number;
  /** Every line the child printed, console lines (over IPC) and raw stdout and stderr alike. */
  onLine(line: string): void;
}

/** The invocation a child is serving. */
export interface ChildInvocation {
  requestId: string;
  invokedFunctionArn: string;
  payload: string;
  /** Epoch milliseconds: the handler's `getRemainingTimeInMillis()` counts down to it. */
  deadline: number;
}

interface Pending {
  requestId: string;
  isTimedOut: boolean;
  timer: NodeJS.Timeout;
  resolve(end: InvocationEnd): void;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'initError'; error: LambdaErrorJson }
  | { type: 'log'; line: string }
  | { type: 'result'; requestId: string; payload: string; maxRssKb: number }
  | { type: 'error'; requestId: string; error: LambdaErrorJson; maxRssKb: number; fatal?: boolean };

/**
 * One execution environment: a forked bootstrap that imported the handler once and serves one invocation at
 * a time. It is killed, never reused, once it timed out, died or failed fatally; {@link isUsable} says so.
 */
export class RuntimeChild {
  /** Resolves when the handler is imported, or with why it could not be. */
  readonly init: Promise<InitEnd>;
  /** Resolves once the process is gone and its output read to the end. */
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private pending: Pending | undefined;
  private hasExited = false;
  private isDying = false;
  private exitListener: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;

  constructor(options: ChildOptions) {
    const startedAt = performance.now();
    this.child = fork(BOOTSTRAP, [], {
      cwd: options.codeDir,
      env: options.env,
      // Never the dev process's own flags (a TypeScript loader, an inspector port): the runtime's alone.
      execArgv: options.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    forwardLines(this.child.stdout, options.onLine);
    forwardLines(this.child.stderr, options.onLine);
    let settleInit: (end: { kind: 'ready' } | ChildFailure) => void = () => {};
    this.init = new Promise((resolve) => {
      let isSettled = false;
      const initTimer = setTimeout(() => {
        this.isDying = true;
        this.child.kill('SIGKILL');
        finish({ kind: 'timeout' });
      }, options.initTimeoutMs);
      const finish = (end: { kind: 'ready' } | ChildFailure) => {
        if (isSettled) return;
        isSettled = true;
        clearTimeout(initTimer);
        resolve({ ...end, durationMs: performance.now() - startedAt });
      };
      settleInit = finish;
    });
    this.exited = new Promise((resolve) => {
      // 'close' follows the exit once stdout and stderr are read to their end: a dying child's last lines count.
      this.child.once('close', (code, signal) => {
        this.hasExited = true;
        settleInit({ kind: 'exit', code, signal });
        const pending = this.pending;
        this.pending = undefined;
        if (pending !== undefined) {
          clearTimeout(pending.timer);
          pending.resolve(pending.isTimedOut ? { kind: 'timeout' } : { kind: 'exit', code, signal });
        } else {
          this.exitListener?.(code, signal);
        }
        resolve();
      });
    });
    // A fork that could not start (no memory, too many processes) still ends in 'close'; the error says why.
    this.child.on('error', (error) => options.onLine(`the runtime process failed: ${error.message}`));
    this.child.on('message', (message: ChildMessage) => {
      switch (message.type) {
        case 'ready':
          settleInit({ kind: 'ready' });
          break;
        case 'initError':
          this.isDying = true;
          settleInit({ kind: 'error', error: message.error });
          break;
        case 'log':
          options.onLine(message.line);
          break;
        case 'result':
          this.settle(message.requestId, { kind: 'result', payload: message.payload, maxRssKb: message.maxRssKb });
          break;
        case 'error':
          if (message.fatal === true) this.isDying = true;
          this.settle(message.requestId, { kind: 'error', error: message.error, maxRssKb: message.maxRssKb });
          break;
      }
    });
  }

  /** The process id, for log lines and tests. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the child may take another invocation. */
  get isUsable(): boolean {
    return !this.hasExited && !this.isDying;
  }

  /** Called when the child exits while it serves no invocation (a timer that threw after the response). */
  onIdleExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.exitListener = listener;
  }

  /**
   * Runs one invocation; the child must be ready and idle. At `timeoutMs` the child is killed (SIGKILL) and
   * the end is a timeout.
   */
  invoke(invocation: ChildInvocation, timeoutMs: number): Promise<InvocationEnd> {
    if (this.pending !== undefined) {
      throw new Error(`runtime process ${this.pid} is serving ${this.pending.requestId} already`);
    }
    if (this.hasExited) {
      return Promise.resolve({ kind: 'exit', code: this.child.exitCode, signal: this.child.signalCode });
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending !== undefined) this.pending.isTimedOut = true;
        this.isDying = true;
        this.child.kill('SIGKILL');
      }, timeoutMs);
      this.pending = { requestId: invocation.requestId, isTimedOut: false, timer, resolve };
      // A send that fails means the channel closed: the child is exiting, and 'close' settles the invocation.
      this.child.send({ type: 'invoke', ...invocation }, () => {});
    });
  }

  /** Kills the child (SIGKILL) and resolves once it is gone. */
  async kill(): Promise<void> {
    this.isDying = true;
    if (!this.hasExited) this.child.kill('SIGKILL');
    await this.exited;
  }

  private settle(requestId: string, end: InvocationEnd): void {
    const pending = this.pending;
    if (pending === undefined || pending.requestId !== requestId || pending.isTimedOut) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve(end);
  }
}

/** Calls `onLine` for each line of `stream`, and for a last line that has no newline. */
function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  stream.setEncoding('utf8');
  let rest = '';
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
    rest = '';
  });
}
