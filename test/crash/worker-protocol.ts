import { appendFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DurableHandler, DynamoDbStore, isDurableError, type Logger } from '../../packages/core/src/index.js';

/**
 * The child side of the crash tests: how a worker script (a real Node process,
 * started by spawn-worker.ts) reads its settings, records side effects and
 * reports its outcome. stdout carries only protocol lines (markers, then the
 * handler's result as JSON on the last line); everything else goes to stderr.
 */

/** Exit code of a worker whose invocation was refused with EXECUTION_BUSY (EX_TEMPFAIL: try again later). */
export const EXIT_BUSY = 75;
/** Exit code of a worker whose invocation failed any other way. */
export const EXIT_FAILED = 1;

/** The environment variables the parent sets; see spawn-worker.ts. */
export const WORKER_ENV = {
  endpoint: 'CRASH_DYNAMODB_ENDPOINT',
  executionId: 'CRASH_EXECUTION_ID',
  sideEffectLog: 'CRASH_SIDE_EFFECT_LOG',
  leaseMs: 'CRASH_LEASE_MS',
  hangInStep: 'CRASH_HANG_IN_STEP',
  retryForMs: 'CRASH_RETRY_FOR_MS',
} as const;

/** A line of the side-effect log: which step ran, in which process. */
export interface SideEffect {
  step: number;
  pid: number;
}

/** The table the global setup creates on each server. */
const TABLE = 'durable-test';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`worker: environment variable ${name} is not set`);
  return value;
}

/** A DynamoDbStore on the endpoint the parent passed, with the fixed fake credentials of the local servers. */
export function workerStore(): DynamoDbStore {
  const client = new DynamoDBClient({
    endpoint: requiredEnv(WORKER_ENV.endpoint),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return new DynamoDbStore({ client, tableName: TABLE });
}

/** The engine's log lines go to stderr, so stdout stays the protocol. */
export const stderrLogger: Logger = {
  debug: (message, fields) => console.error(JSON.stringify({ level: 'debug', message, ...fields })),
  info: (message, fields) => console.error(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/**
 * Appends `{ step, pid }` to the side-effect log (synchronously: the line is on
 * disk before the step returns, so a SIGKILL after it cannot lose it). When the
 * parent asked for it, then announces `HANGING step=<n>` on stdout and never returns.
 */
export async function performSideEffect(step: number): Promise<void> {
  const effect: SideEffect = { step, pid: process.pid };
  appendFileSync(requiredEnv(WORKER_ENV.sideEffectLog), `${JSON.stringify(effect)}\n`);
  if (process.env[WORKER_ENV.hangInStep] === String(step)) {
    process.stdout.write(`${hangingMarker(step)}\n`);
    // A pending promise alone would let the process exit: the interval keeps it alive until the SIGKILL.
    await new Promise<never>(() => setInterval(() => {}, 60_000));
  }
}

export function hangingMarker(step: number): string {
  return `HANGING step=${step}`;
}

/** Printed by a worker that is loaded and waits at the start barrier. */
export const READY_MARKER = 'READY';
/** The parent's start signal, one line on the worker's stdin. */
export const GO_SIGNAL = 'GO';

/**
 * Announces READY and waits for GO on stdin: the parent releases all workers
 * at once, after each paid its start-up cost, so their invocations truly race.
 */
export async function waitAtStartBarrier(): Promise<void> {
  process.stdout.write(`${READY_MARKER}\n`);
  await new Promise<void>((resolve, reject) => {
    let received = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (data: string) => {
      received += data;
      if (received.split('\n').includes(GO_SIGNAL)) {
        process.stdin.destroy();
        resolve();
      }
    });
    process.stdin.on('end', () => reject(new Error(`worker: stdin closed before ${GO_SIGNAL}`)));
  });
}

/**
 * Invokes the handler once with `event` and reports: the result as JSON on
 * the last stdout line (exit 0), or the error's name, code and message as JSON
 * on stderr (exit EXIT_BUSY for EXECUTION_BUSY, else EXIT_FAILED).
 */
export async function invokeAndReport(handler: DurableHandler, event: unknown): Promise<void> {
  try {
    const result = await handler(event);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  } catch (error) {
    reportFailure(error);
  }
}

export function reportFailure(error: unknown): void {
  const code = isDurableError(error) ? error.code : undefined;
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  process.stderr.write(`${JSON.stringify({ error: { name, code, message } })}\n`);
  process.exitCode = code === 'EXECUTION_BUSY' ? EXIT_BUSY : EXIT_FAILED;
}
