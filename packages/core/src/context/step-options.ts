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

/**
 * One thing wrong with a decorator's options. Core's decorators throw them as
 * one {@link DefinitionError}; durable-gen reports each as a diagnostic at
 * `option`, with `code` as its code, so `check` and the class loading give the
 * same verdict.
 */
export interface OptionProblem {
  /**
   * `unknown-option`: a key the decorator does not take; `invalid-option`: a value it cannot honour;
   * `invalid-service-name`: a service name (written, or taken from the class name) no store key may hold.
   */
  code: 'unknown-option' | 'invalid-option' | 'invalid-service-name';
  /** The option at fault, as a dotted path into the options object (`retry.maxAttempts`). */
  option: string;
  /** What is wrong, as a clause: `retry.maxAttempts must be an integer >= 1`. */
  message: string;
}

/**
 * The keys of `options` that are not in `known`, as problems; `within` is the
 * dotted path of `options` itself ('' at the top). A typo in an option name
 * would otherwise be ignored without a word.
 */
export function unknownOptionProblems(options: object, known: readonly string[], within = ''): OptionProblem[] {
  return Object.keys(options)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      code: 'unknown-option',
      option: within === '' ? key : `${within}.${key}`,
      message: `unknown option '${key}'${within === '' ? '' : ` in ${within}`} (known: ${known.join(', ')})`,
    }));
}

/** What is wrong with `options` as `@Step`/`ctx.step` options (typed loosely: they may come from a scan of source). */
export function stepOptionProblems(options: object): OptionProblem[] {
  const { retry, timeoutMs, semantics, name } = options as { [key: string]: unknown };
  const problems = unknownOptionProblems(options, STEP_OPTION_NAMES);
  const invalid = (option: string, message: string) => problems.push({ code: 'invalid-option', option, message });
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
    invalid('name', 'name must be a non-empty string');
  }
  if (semantics !== undefined && semantics !== 'at-least-once' && semantics !== 'at-most-once') {
    invalid('semantics', `semantics must be 'at-least-once' or 'at-most-once'`);
  }
  if (timeoutMs !== undefined && !(isFiniteNumber(timeoutMs) && timeoutMs > 0)) {
    invalid('timeoutMs', 'timeoutMs must be > 0');
  }
  if (retry === undefined) return problems;
  if (typeof retry !== 'object' || retry === null || Array.isArray(retry)) {
    invalid('retry', 'retry must be an object such as { maxAttempts: 5 }');
    return problems;
  }
  problems.push(...unknownOptionProblems(retry, RETRY_OPTION_NAMES, 'retry'));
  const policy = retry as { [key: string]: unknown };
  const { maxAttempts, backoffRate, jitter } = policy;
  if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && (maxAttempts as number) >= 1)) {
    invalid('retry.maxAttempts', 'retry.maxAttempts must be an integer >= 1');
  }
  for (const field of ['initialDelayMs', 'maxDelayMs'] as const) {
    const value = policy[field];
    if (value !== undefined && !(isFiniteNumber(value) && value >= 0)) {
      invalid(`retry.${field}`, `retry.${field} must be >= 0`);
    }
  }
  if (backoffRate !== undefined && !(isFiniteNumber(backoffRate) && backoffRate >= 1)) {
    invalid('retry.backoffRate', 'retry.backoffRate must be >= 1');
  }
  if (jitter !== undefined && !['none', 'full', 'equal'].includes(jitter as string)) {
    invalid('retry.jitter', `retry.jitter must be 'none', 'full' or 'equal'`);
  }
  return problems;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Rejects step options the engine could not honour, or does not know, at
 * decoration time (or at the `ctx.step` call): a {@link DefinitionError}
 * naming every problem.
 */
export function validateStepOptions(where: string, options: StepOptions): void {
  const problems = stepOptionProblems(options);
  if (problems.length > 0) {
    throw new DefinitionError(`@Step options of ${where}: ${problems.map((p) => p.message).join('; ')}.`);
  }
}
