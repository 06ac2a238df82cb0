/**
 * What both demos share: where the sample is, running `durable-gen` as a
 * user would (a child process in an app folder), headings, and the outbox
 * every side effect of the sample appends to.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sample app's folder. */
export const SAMPLE_APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.resolve(SAMPLE_APP, '../../packages/cli/bin/durable-gen.js');

const tty = process.stdout.isTTY === true;
export const bold = (text: string) => (tty ? `\u001b[1m${text}\u001b[22m` : text);
export const dim = (text: string) => (tty ? `\u001b[2m${text}\u001b[22m` : text);

/** Prints `[step/of] title  detail`. */
export function heading(step: number, of: number, title: string, detail: string): void {
  console.log(`\n${bold(`[${step}/${of}] ${title}`)}  ${dim(detail)}`);
}

export function fail(message: string, detail = ''): never {
  console.error(`\ndemo failed: ${message}${detail === '' ? '' : `\n${detail}`}`);
  process.exit(1);
}

/** What a finished `durable-gen` process printed. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string[];
  stderr: string;
}

/**
 * Runs `durable-gen args` in `cwd` with `env`; `onLine` sees each stdout line as it comes (and the process, to
 * kill it). Use {@link startDurableGen} for a command that keeps running.
 */
export function durableGen(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onLine?: (line: string, child: ChildProcess) => void },
): Promise<CliRun> {
  const child = startDurableGen(args, options);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: child.lines, stderr: child.stderrText() }));
  });
}

/** A running `durable-gen` process: its stdout lines so far, and its stderr. */
export type RunningCli = ChildProcess & { lines: string[]; stderrText(): string };

export function startDurableGen(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onLine?: (line: string, child: ChildProcess) => void },
): RunningCli {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as RunningCli;
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  child.lines = lines;
  child.stderrText = () => stderr;
  child.stdout?.on('data', (data: Buffer) => {
    pending += data.toString();
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      options.onLine?.(line, child);
    }
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  child.on('close', () => {
    if (pending !== '') lines.push(pending);
  });
  return child;
}

/** One side effect of the sample, as `src/outbox.ts` records it. */
export interface SideEffect {
  effect: string;
  pid: number;
  /** Set when a Lambda function (dev's or AWS's) did it: which function and version. */
  function?: string;
  version?: string;
  [detail: string]: unknown;
}

export function readOutbox(file: string): SideEffect[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SideEffect);
}
