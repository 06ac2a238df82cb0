import { DEFAULT_EXECUTION_TIMEOUT_MS, DEFAULT_RETENTION_MS } from '@durable/core';
import { describe, expect, it } from 'vitest';
import { durableConfigOf } from './durable-config.js';

const DAY_MS = 86_400_000;

describe('durableConfigOf', () => {
  it("maps core's default lifetimes to 30 days of ExecutionTimeout and of RetentionPeriodInDays", () => {
    expect(
      durableConfigOf({ executionTimeoutMs: DEFAULT_EXECUTION_TIMEOUT_MS, retentionMs: DEFAULT_RETENTION_MS }),
    ).toEqual({ config: { executionTimeoutSeconds: 30 * 86_400, retentionDays: 30 } });
  });

  it.each([
    { executionTimeoutMs: 1_000, retentionMs: DAY_MS, config: { executionTimeoutSeconds: 1, retentionDays: 1 } },
    {
      executionTimeoutMs: 366 * DAY_MS,
      retentionMs: 90 * DAY_MS,
      config: { executionTimeoutSeconds: 31_622_400, retentionDays: 90 },
    },
  ])('keeps the bounds Lambda accepts: $config', ({ executionTimeoutMs, retentionMs, config }) => {
    expect(durableConfigOf({ executionTimeoutMs, retentionMs })).toEqual({ config });
  });

  it.each([
    { executionTimeoutMs: 1_500, retentionMs: DAY_MS, option: 'executionTimeout', says: '{ seconds: 2 }' },
    { executionTimeoutMs: 500, retentionMs: DAY_MS, option: 'executionTimeout', says: '{ seconds: 1 }' },
    { executionTimeoutMs: 60_000, retentionMs: 91 * DAY_MS, option: 'retention', says: 'retention is 91 days' },
    { executionTimeoutMs: 60_000, retentionMs: DAY_MS / 2, option: 'retention', says: '{ days: 1 }' },
    { executionTimeoutMs: 60_000, retentionMs: 1.5 * DAY_MS, option: 'retention', says: '{ days: 2 }' },
  ])('refuses $option of $executionTimeoutMs ms / $retentionMs ms, rounding nothing', (lifetimes) => {
    const { executionTimeoutMs, retentionMs, option, says } = lifetimes;
    const result = durableConfigOf({ executionTimeoutMs, retentionMs });
    expect(result).toEqual({
      problems: [{ code: 'unsupported-lifetime', option, message: expect.stringContaining(says) }],
    });
  });

  it('reports both lifetimes when neither fits', () => {
    const result = durableConfigOf({ executionTimeoutMs: 1_001, retentionMs: 100 * DAY_MS });
    expect('problems' in result && result.problems.map((p) => p.option)).toEqual(['executionTimeout', 'retention']);
  });
});
