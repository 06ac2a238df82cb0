import { DefinitionError } from '../errors.js';

/** How a failing step is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 3 (1 for at-most-once steps). */
  maxAttempts?: number;
  /** Delay before the second attempt. Default 200 ms. */
  initialDelayMs?: number;
  /** Each further delay is the previous one times this. Default 2. */
  backoffRate?: number;
  /** Upper bound of one delay. Default 60 000 ms. */
  maxDelayMs?: number;
  /**
   * `full` (default): a random delay between 0 and the computed one, so that
   * many failing executions do not retry in step; `equal`: half fixed, half
   * random; `none`: exactly the computed delay.
   */
  jitter?: 'none' | 'full' | 'equal';
}

/** Delivery guarantee of a step's side effect. */
export type StepSemantics = 'at-least-once' | 'at-most-once';

/** Options of `@Step` (and `ctx.step`). */
export interface StepOptions {
  /** Stable id in the journal; defaults to the method name. Renaming it breaks running executions. */
  name?: string;
  retry?: RetryPolicy;
  /**
   * `at-least-once` (default): the body may run again if the invocation dies
   * before its result is recorded. `at-most-once`: a start is recorded before
   * the body runs; after a crash the step is not run again but fails with
   * `StepInterruptedError`, unless its retry policy allows another attempt.
   * The semantics a step was recorded with win over the code's on replay.
   */
  semantics?: StepSemantics;
  /** Fail the attempt with `StepTimeoutError` after this long (the body is not cancelled). */
  timeoutMs?: number;
}

/** Every option `@Step` takes, and every field of its `retry`: durable-gen reports any other key as unknown. */
export const STEP_OPTION_NAMES = [
  'name',
  'retry',
  'semantics',
  'timeoutMs',
] as const satisfies readonly (keyof StepOptions)[];
export const RETRY_OPTION_NAMES = [
  'maxAttempts',
  'initialDelayMs',
  'backoffRate',
  'maxDelayMs',
  'jitter',
] as const satisfies readonly (keyof RetryPolicy)[];

/** A step as the engine runs it: its journal name, its method (or inline name) and its options. */
export interface StepDefinition {
  name: string;
  method: string;
  options: StepOptions;
}

/** Rejects step options the engine could not honour, at decoration time (or at the `ctx.step` call). */
export function validateStepOptions(where: string, options: StepOptions): void {
  const { retry, timeoutMs, semantics, name } = options;
  const problems: string[] = [];
  if (name !== undefined && (typeof name !== 'string' || name.length === 0))
    problems.push('name must be a non-empty string');
  if (semantics !== undefined && semantics !== 'at-least-once' && semantics !== 'at-most-once') {
    problems.push(`semantics must be 'at-least-once' or 'at-most-once'`);
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) problems.push('timeoutMs must be > 0');
  if (retry !== undefined) {
    if (retry.maxAttempts !== undefined && !(Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1)) {
      problems.push('retry.maxAttempts must be an integer >= 1');
    }
    for (const field of ['initialDelayMs', 'maxDelayMs'] as const) {
      const value = retry[field];
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) problems.push(`retry.${field} must be >= 0`);
    }
    if (retry.backoffRate !== undefined && !(Number.isFinite(retry.backoffRate) && retry.backoffRate >= 1)) {
      problems.push('retry.backoffRate must be >= 1');
    }
    if (retry.jitter !== undefined && !['none', 'full', 'equal'].includes(retry.jitter)) {
      problems.push(`retry.jitter must be 'none', 'full' or 'equal'`);
    }
  }
  if (problems.length > 0) throw new DefinitionError(`@Step options of ${where}: ${problems.join('; ')}.`);
}
