import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tests run `node packages/cli/bin/durable-gen.js` as a real child
 * process, in a copy of a fixture app, exactly as a person would: the bin
 * imports the compiled `dist/` (built by `npx tsc -b`, which `npm test` runs
 * first), and the app resolves `@durable/core` through the repository's
 * node_modules, which is why the copies live inside the repository
 * (`test/cli/.tmp/`, git-ignored) and not under the system's temp folder.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO_ROOT, 'packages/cli/bin/durable-gen.js');
const CLI_DIST = path.join(REPO_ROOT, 'packages/cli/dist/main.js');
const CLI_SRC = path.join(REPO_ROOT, 'packages/cli/src');
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const TEMP_ROOT = fileURLToPath(new URL('./.tmp/', import.meta.url));

/** How long one CLI process may take: generous, the machine may be loaded by other test files. */
export const CLI_TIMEOUT_MS = 25_000;

/** How a CLI process ended. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI process still running. */
export interface RunningCli {
  readonly pid: number;
  stdout(): string;
  /** Resolves once stdout has a line for which `matches` holds. */
  waitForLine(matches: (line: string) => boolean): Promise<void>;
  /** Resolves when the process has exited and its output is read. */
  exited(): Promise<CliResult>;
  /** SIGKILLs the process (no cleanup of any kind runs) and resolves once it is gone and reaped. */
  kill(): Promise<CliResult>;
}

const running = new Set<ChildProcess>();
const tempApps: string[] = [];

/** Fails with what to do when there is no build to test, or a compiled file is older than its source. */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_DIST)) throw new Error(`${CLI_DIST} is missing: run \`npx tsc -b\` before these tests.`);
  const stale = (readdirSync(CLI_SRC, { recursive: true }) as string[]).filter((file) => {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file.endsWith('.test.ts')) return false;
    const compiled = path.join(CLI_DIST, '..', file.replace(/\.ts$/, '.js'));
    return !existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path.join(CLI_SRC, file)).mtimeMs;
  });
  if (stale.length > 0) {
    throw new Error(`packages/cli/dist is older than src/${stale.join(', src/')}: run \`npx tsc -b\` first.`);
  }
}

/** A fresh copy of `test/cli/fixtures/<name>` to run the CLI in; removed by {@link cleanUp}. */
export function copyFixture(name = 'app'): string {
  mkdirSync(TEMP_ROOT, { recursive: true });
  const dir = mkdtempSync(path.join(TEMP_ROOT, `${name}-`));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  tempApps.push(dir);
  return dir;
}

/** Starts `durable-gen <args>` in `cwd`. */
export function startCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start durable-gen ${args.join(' ')}`);
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  child.stderr?.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  // 'close', not 'exit': by then stdout and stderr are fully read, and the process is reaped.
  const closed = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const describe = (what: string): string =>
    `durable-gen ${args.join(' ')} (pid ${child.pid}) ${what}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  const withTimeout = async <T>(work: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(describe(`did not ${what} within ${CLI_TIMEOUT_MS} ms`)));
      }, CLI_TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    pid: child.pid,
    stdout: () => stdout,
    waitForLine: (matches) =>
      withTimeout(
        new Promise<void>((resolve, reject) => {
          const check = (): void => {
            if (stdout.split('\n').some(matches)) {
              child.stdout?.off('data', check);
              resolve();
            }
          };
          child.stdout?.on('data', check);
          check();
          void closed.then(() => reject(new Error(describe('exited before printing the line awaited'))));
        }),
        'print the line awaited',
      ),
    exited: () => withTimeout(closed, 'exit'),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return closed;
    },
  };
}

/** Runs `durable-gen <args>` in `cwd` to the end. */
export function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, cwd, env).exited();
}

/** The last line of stdout, parsed: where `run` prints its result. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '');
}

/** Kills every CLI process still running and removes the app copies (for `afterEach`). */
export async function cleanUp(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  for (const dir of tempApps.splice(0)) rmSync(dir, { recursive: true, force: true });
}
