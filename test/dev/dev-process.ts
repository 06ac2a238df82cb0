import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { cleanUp, startCli } from '../cli/cli-harness.js';

/**
 * `durable-gen dev` as a user runs it, a real process (the compiled CLI, through
 * the CLI tests' harness, which kills whatever a test leaves running), and the
 * AWS CLI pointed at it.
 */

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

export interface DevProcess {
  url: string;
  port: number;
  /** Everything it printed so far. */
  output(): string;
  isRunning(): boolean;
  /** SIGKILL: no shutdown, state as it was on disk. */
  kill(): Promise<void>;
  /** SIGINT, as Ctrl-C: resolves with its exit code. */
  stop(): Promise<number | null>;
}

const URL_LINE = /http:\/\/127\.0\.0\.1:(\d+)/;

/** Starts `durable-gen dev --port <port>` in `root` and resolves once it serves. */
export async function startDev(root: string, port = 0): Promise<DevProcess> {
  const cli = startCli(['dev', '--port', String(port)], root, CLIENT_ENV);
  await cli.waitForLine((line) => URL_LINE.test(line));
  const url = URL_LINE.exec(cli.stdout())!;
  return {
    url: url[0],
    port: Number(url[1]),
    output: () => cli.stdout(),
    isRunning: () => {
      try {
        process.kill(cli.pid, 0); // signal 0 only asks whether the process is there
        return true;
      } catch {
        return false;
      }
    },
    kill: async () => {
      await cli.kill();
    },
    // Not `exited()` before: it gives a process 25 s, and dev runs until it is told to stop.
    stop: async () => {
      process.kill(cli.pid, 'SIGINT');
      return (await cli.exited()).code;
    },
  };
}

/** Kills every dev process a test left running, and removes the app copies of the CLI harness. */
export const stopAll = cleanUp;

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
