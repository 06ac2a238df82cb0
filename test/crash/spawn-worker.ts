import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readJsonLines } from '../support/json-lines.js';
import { GO_SIGNAL, type SideEffect } from './worker-protocol.js';

/**
 * The parent side of the crash tests: start a worker script as a real Node
 * process (through tsx), watch its output, wait for it or kill it. Every
 * worker started here is remembered until it exits, so `killRunningWorkers`
 * (in `afterEach`) leaves no process behind when a test fails half-way.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Without it tsx compiles decorators as TC39 decorators, which the engine's legacy decorators are not. */
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.base.json', import.meta.url));

/** How long a worker may take to do its part: generous, the machine may be loaded. */
export const WORKER_TIMEOUT_MS = 25_000;

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running worker process. */
export interface Worker {
  readonly pid: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when a stdout line equals `line`; rejects if the worker exits first or after `timeoutMs`. */
  waitForLine(line: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the worker has exited; rejects after `timeoutMs` (the worker is then killed). */
  exited(timeoutMs?: number): Promise<WorkerExit>;
  /** Sends GO to a worker waiting at the start barrier (worker-protocol.ts `waitAtStartBarrier`). */
  release(): void;
  /** SIGKILLs the worker and resolves once it is gone. */
  kill(): Promise<WorkerExit>;
}

const running = new Set<ChildProcess>();

/** Starts `node --import tsx <script>` from the repository root with `env` added to this process's environment. */
export function startWorker(script: string, env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url))], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: TSCONFIG,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start worker ${script}`);
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  // 'close' (not 'exit'): by then stdout and stderr are fully read.
  const closed = new Promise<WorkerExit>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const describe = (what: string): string =>
    `worker ${script} (pid ${child.pid}) ${what}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const kill = async (): Promise<WorkerExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return closed;
  };
  const withTimeout = async <T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void kill();
        reject(new Error(describe(`did not ${what} within ${timeoutMs} ms`)));
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    pid: child.pid,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForLine: (line, timeoutMs = WORKER_TIMEOUT_MS) => {
      const seen = new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (stdout.split('\n').includes(line)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
        void closed.then(() => {
          check();
          reject(new Error(describe(`exited before printing '${line}'`)));
        });
      });
      return withTimeout(seen, timeoutMs, `print '${line}'`);
    },
    exited: (timeoutMs = WORKER_TIMEOUT_MS) => withTimeout(closed, timeoutMs, 'exit'),
    release: () => {
      child.stdin.end(`${GO_SIGNAL}\n`);
    },
    kill,
  };
}

/** SIGKILLs every worker still running and waits until they are gone. */
export async function killRunningWorkers(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** The JSON on the last non-empty line of a worker's stdout: the handler's result. */
export function lastJsonLine(output: string): unknown {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) throw new Error('the worker printed nothing on stdout');
  return JSON.parse(last);
}

/** The side-effect log a worker appends to, in order; an absent file is an empty log. */
export function readSideEffects(path: string): Promise<SideEffect[]> {
  return readJsonLines<SideEffect>(path);
}
