import type { Lifetimes } from '@durable/core';

/**
 * A service's lifetimes as Lambda's `DurableConfig`, which deploy sets when it creates the function (the service
 * accepts it at creation only): `ExecutionTimeout` in seconds, `RetentionPeriodInDays` in days.
 */
export interface DurableConfigRecord {
  /** `ExecutionTimeout`: how long an execution may run, from its start (whole seconds, 1 to 366 days). */
  executionTimeoutSeconds: number;
  /** `RetentionPeriodInDays`: how long a finished execution's history is kept (whole days, 1 to 90). */
  retentionDays: number;
}

/** A lifetime of `@DurableService` that Lambda's `DurableConfig` cannot hold. */
export interface LifetimeProblem {
  code: 'unsupported-lifetime';
  option: 'executionTimeout' | 'retention';
  message: string;
}

const SECOND_MS = 1_000;
const DAY_MS = 86_400_000;
/** Lambda's bounds of `DurableConfig` (its API reference). */
const MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400;
const MAX_RETENTION_DAYS = 90;

/**
 * The `DurableConfig` of a `lambda-durable` service with these lifetimes (core's defaults fill what the decorator
 * leaves out), or what stops it: a timeout that is not whole seconds, a retention that is not whole days from 1
 * to 90. Nothing is rounded: the decorator says how long a journal lives, and a deploy must not quietly change it.
 */
export function durableConfigOf(
  lifetimes: Lifetimes,
): { config: DurableConfigRecord } | { problems: LifetimeProblem[] } {
  const problems: LifetimeProblem[] = [];
  const { executionTimeoutMs, retentionMs } = lifetimes;
  const executionTimeoutSeconds = executionTimeoutMs / SECOND_MS;
  if (!Number.isInteger(executionTimeoutSeconds) || executionTimeoutSeconds > MAX_EXECUTION_TIMEOUT_SECONDS) {
    problems.push({
      code: 'unsupported-lifetime',
      option: 'executionTimeout',
      message:
        `executionTimeout is ${executionTimeoutMs} ms, but on backend 'lambda-durable' it is the function's ` +
        `DurableConfig ExecutionTimeout, whole seconds up to 366 days: write it as ` +
        `{ seconds: ${Math.min(MAX_EXECUTION_TIMEOUT_SECONDS, Math.ceil(executionTimeoutSeconds))} } or another whole number of seconds`,
    });
  }
  const retentionDays = retentionMs / DAY_MS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_RETENTION_DAYS) {
    const nearest = Math.min(MAX_RETENTION_DAYS, Math.max(1, Math.ceil(retentionDays)));
    problems.push({
      code: 'unsupported-lifetime',
      option: 'retention',
      message:
        `retention is ${describeDays(retentionMs)}, but on backend 'lambda-durable' it is the function's ` +
        `DurableConfig RetentionPeriodInDays, whole days from 1 to ${MAX_RETENTION_DAYS}: write { days: ${nearest} } ` +
        'or another whole number of days in that range',
    });
  }
  return problems.length > 0 ? { problems } : { config: { executionTimeoutSeconds, retentionDays } };
}

function describeDays(ms: number): string {
  const days = ms / DAY_MS;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${ms} ms (${days.toFixed(2)} days)`;
}
