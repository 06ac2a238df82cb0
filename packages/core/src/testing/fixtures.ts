import { randomUUID } from 'node:crypto';
import type { LambdaContext, Logger } from '../index.js';
import { ManualClock } from './clock.js';

/** One call a {@link RecordingLogger} received. */
export interface LogEntry {
  level: keyof Logger;
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A logger that keeps what it is told, for `createHandler(..., { logger })`. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'debug', message, fields });
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, fields });
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, fields });
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, fields });
  }

  /** The messages logged at `level` (all levels when omitted), in order. */
  messages(level?: keyof Logger): string[] {
    return this.entries.filter((e) => level === undefined || e.level === level).map((e) => e.message);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/**
 * A Lambda context with a fixed time left: with a `ManualClock`, a sleep or
 * retry delay longer than `remainingMs` suspends the execution at once.
 */
export function lambdaContextWith(remainingMs: number, awsRequestId?: string): LambdaContext {
  return {
    getRemainingTimeInMillis: () => remainingMs,
    ...(awsRequestId === undefined ? {} : { awsRequestId }),
  };
}

/** What `work` rejects with; fails the test if it resolves. */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** What `work` throws; fails the test if it returns. */
export function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/**
 * An execution id no other test uses: the DynamoDB runs of the engine suites
 * share one table, so fixed ids would meet each other's journals.
 */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/**
 * A {@link ManualClock} that starts at the real time. The engine's clock sets
 * `timeoutAt` (start + executionTimeout) while TTL (`expiresAt`) follows the
 * wall clock: a clock far from the real time would time executions out, or
 * never, against what their TTL says.
 */
export function clockStartingNow(): ManualClock {
  return new ManualClock(Date.now());
}
