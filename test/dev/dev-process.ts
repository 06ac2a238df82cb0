import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

/**
 * `durable-gen dev` as a user runs it, a real process (the compiled CLI), and
 * the AWS CLI pointed at it. Every dev process started here is remembered
 * until it exits, so `stopAll` (in `afterEach`) leaves nothing behind.
 */

const CLI = fileURLToPath(new URL('../../packages/cli/bin/durable-gen.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/durable-dev-test`;

/** dev checks no signature, but the AWS CLI and SDK sign every request and need something to sign with. */
export const CLIENT_ENV = {
  AWS_ACCESS_KEY_ID: 'dev',
  AWS_SECRET_ACCESS_KEY: 'dev',
  AWS_REGION: REGION,
  AWS_DEFAULT_REGION: REGION,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_PAGER: '',
  FORCE_COLOR: '0',
};

const running = new Set<ChildProcess>();

export interface DevProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves when its output matches `pattern`; rejects at the deadline or when it exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown, state as it was on disk. */
  kill(): Promise<void>;
  /** SIGINT, as Ctrl-C: resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `durable-gen dev --port <port>` in `root` and resolves once it serves. */
export async function startDev(root: string, port = 0): Promise<DevProcess> {
  const child = spawn(process.execPath, [CLI, 'dev', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, ...CLIENT_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  child.stdout.on('data', (data: Buffer) => {
    output += data.toString();
  });
  child.stderr.on('data', (data: Buffer) => {
    output += data.toString();
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<void> =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const poll = (): void => {
        if (pattern.test(output)) resolve();
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(new Error(`durable-gen dev exited before printing ${pattern}:\n${output}`));
        else if (Date.now() > deadline) reject(new Error(`durable-gen dev never printed ${pattern}:\n${output}`));
        else setTimeout(poll, 20);
      };
      poll();
    });
  await waitForOutput(/http:\/\/127\.0\.0\.1:\d+/);
  const url = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output)!;
  return {
    url: url[0],
    port: Number(url[1]),
    child,
    output: () => output,
    waitForOutput,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Kills every dev process a test left running. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** A temporary app folder for one dev state; `remove` deletes it. */
export function tempRoot(): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'durable-dev-'));
  writeFileSync(path.join(root, 'package.json'), '{ "name": "dev-test", "private": true, "type": "module" }\n');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A Lambda zip holding one `index.mjs`. */
export function handlerZip(source: string): Uint8Array {
  return zipSync({ 'index.mjs': new TextEncoder().encode(source) }, { mtime: new Date('2020-01-01T00:00:00Z') });
}

/** What one `aws …` run printed. */
export interface AwsRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty). */
  json: unknown;
}

const awsMajorVersion = (() => {
  const version = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const match = /aws-cli\/(\d+)/.exec(`${version.stdout}${version.stderr}`);
  if (match === null) throw new Error(`the AWS CLI is missing (npm test's pretest step installs it): ${version.error}`);
  return Number(match[1]);
})();

/**
 * `aws lambda <args> --endpoint-url <url>`. v2 reads `--payload` as base64 unless told otherwise; v1 takes it
 * as it is: both are given raw JSON here.
 */
export function awsLambda(url: string, args: string[], cwd: string): AwsRun {
  const binaryFormat = awsMajorVersion >= 2 && args[0] === 'invoke' ? ['--cli-binary-format', 'raw-in-base64-out'] : [];
  const result = spawnSync(
    'aws',
    ['lambda', ...args, ...binaryFormat, '--endpoint-url', url, '--region', REGION, '--output', 'json'],
    { cwd, env: { ...process.env, ...CLIENT_ENV }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const stdout = result.stdout ?? '';
  return {
    status: result.status,
    stdout,
    stderr: result.stderr ?? '',
    json: stdout.trim() === '' ? undefined : JSON.parse(stdout),
  };
}
