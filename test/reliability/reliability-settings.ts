/**
 * How hard the reliability suites push, from the environment: `npm test` runs
 * the reduced defaults, `npm run test:soak` sets the soak figures (package.json).
 */

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive integer (got '${text}')`);
  return value;
}

export const reliabilitySettings = {
  /** SIGKILLs the crash campaign inflicts in all (soak: 200). */
  kills: positiveInteger('RELIABILITY_KILLS', 20),
  /** Concurrent invocations of one execution id in each race (soak: 50). */
  raceInvocations: positiveInteger('RELIABILITY_RACE_INVOCATIONS', 20),
  /** Executions run through the store-fault layer (soak: 40). */
  faultExecutions: positiveInteger('RELIABILITY_FAULT_EXECUTIONS', 8),
  /** Fuzz cases of the bad-input suite, round trips included (soak: 10 000). */
  fuzzCases: positiveInteger('RELIABILITY_FUZZ_CASES', 500),
  /** Clock-skew fuzz executions on MemoryStore; a tenth as many (at least 10) on each DynamoDB server (soak: 1000). */
  skewExecutions: positiveInteger('RELIABILITY_SKEW_EXECUTIONS', 100),
} as const;

/** Prints a suite's figures in one block, for the run's log (and the closing note). */
export function printFigures(suite: string, figures: Record<string, unknown>): void {
  const lines = Object.entries(figures).map(([name, value]) => `  ${name}: ${JSON.stringify(value)}`);
  console.log(`[reliability] ${suite}\n${lines.join('\n')}`);
}
