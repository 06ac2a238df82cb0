import { type Duration, durationToMs } from '../context/duration.js';
import { type OptionProblem, unknownOptionProblems } from '../context/step-options.js';
import { DefinitionError } from '../errors.js';

/**
 * The rules of `@DurableService` and `@Workflow` options, in one place: the
 * decorators apply them when a class loads, and durable-gen applies the same
 * functions to the literals it reads from source, so `check` and the class
 * loading give one verdict.
 */

/** Every backend a service may name, the default first. */
export const BACKENDS = ['dynamodb', 'lambda-durable'] as const;

/** Which backend runs a service. */
export type Backend = (typeof BACKENDS)[number];

/** Options of `@DurableService`. */
export interface DurableServiceOptions {
  /** Stable name: the key prefix in the store and the stub's file name. Defaults to the class name in kebab-case. */
  name?: string;
  /** AWS account the function is deployed in (12 digits). */
  account?: string;
  /** AWS region the function is deployed in, e.g. `eu-west-1`. */
  region?: string;
  /**
   * The Lambda function's name, or its unqualified ARN in the service's account and region; defaults to the
   * service name. Never a version or alias (`shipping:3`): callers pin the version at deploy.
   */
  functionName?: string;
  backend?: Backend;
  /**
   * Checkpoint table name, written into the generated handler (and its IAM policy); without it, `generate --table`,
   * else `DEFAULT_TABLE`. A handler written by hand falls back to the `DURABLE_TABLE` environment variable.
   */
  table?: string;
  /**
   * How long an execution may live, from its start; past it, it fails with `ExecutionTimeoutError`. Default 30
   * days, at most 366.
   */
  executionTimeout?: Duration;
  /** How long a finished execution's journal is kept before DynamoDB TTL deletes it. Default 30 days. */
  retention?: Duration;
}

/** Every option `@DurableService` takes: durable-gen reports any other key as unknown. */
export const SERVICE_OPTION_NAMES = [
  'name',
  'account',
  'region',
  'functionName',
  'backend',
  'table',
  'executionTimeout',
  'retention',
] as const satisfies readonly (keyof DurableServiceOptions)[];

/** Options of `@Workflow`. */
export interface WorkflowOptions {
  /** Stable name events use to pick this workflow; defaults to the method name. */
  name?: string;
}

/** Every option `@Workflow` takes. */
export const WORKFLOW_OPTION_NAMES = ['name'] as const satisfies readonly (keyof WorkflowOptions)[];

/**
 * What a service name may be: it prefixes the store's keys, the function's
 * name and the generated files, so lowercase letters, digits and '-', from a
 * letter, at most 63 characters.
 */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** `ReviewService` → `review-service`: the service name when `@DurableService` names none. */
export function kebabCase(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** The service's stable name: the decorator's `name`, else the class name in kebab-case. */
export function serviceNameOf(className: string, options: { name?: unknown }): unknown {
  return options.name ?? kebabCase(className);
}

/** What an AWS account id is: 12 digits (the `account` option, and durable-gen's `--account`). */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** What an AWS region name looks like (`eu-west-1`, `us-gov-east-1`): the `region` option, and `--region`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * What is wrong with `options` as the `@DurableService` options of class
 * `className` (typed loosely: they may come from a scan of source).
 * `functionName` is only checked to be a string here: whether an ARN fits
 * depends on the account and region it deploys to, which durable-gen knows.
 */
export function serviceOptionProblems(className: string, options: object): OptionProblem[] {
  const values = options as { [key: string]: unknown };
  const problems = unknownOptionProblems(options, SERVICE_OPTION_NAMES);
  const invalid = (option: string, message: string) => problems.push({ code: 'invalid-option', option, message });
  const name = serviceNameOf(className, values);
  if (typeof name !== 'string' || !SERVICE_NAME_PATTERN.test(name)) {
    problems.push({
      code: 'invalid-service-name',
      option: 'name',
      message:
        `name '${String(name)}' must be lowercase letters, digits and '-', start with a letter and be at most 63 ` +
        'characters (it prefixes store keys and function names)',
    });
  }
  const { account, backend } = values;
  if (account !== undefined && !(typeof account === 'string' && ACCOUNT_ID_PATTERN.test(account))) {
    invalid('account', 'account must be a 12-digit AWS account id');
  }
  if (values.region !== undefined && !(typeof values.region === 'string' && REGION_PATTERN.test(values.region))) {
    invalid('region', `region must be an AWS region such as 'eu-west-1'`);
  }
  for (const key of ['functionName', 'table'] as const) {
    const value = values[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      invalid(key, `${key} must be a non-empty string`);
    }
  }
  if (backend !== undefined && !BACKENDS.includes(backend as Backend)) {
    invalid('backend', `backend must be ${BACKENDS.map((b) => `'${b}'`).join(' or ')}`);
  }
  const lifetimes = checkLifetimes(values);
  if ('problem' in lifetimes) problems.push(lifetimes.problem);
  return problems;
}

/** What is wrong with `options` as `@Workflow` options. */
export function workflowOptionProblems(options: object): OptionProblem[] {
  const problems = unknownOptionProblems(options, WORKFLOW_OPTION_NAMES);
  const { name } = options as { name?: unknown };
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    problems.push({ code: 'invalid-option', option: 'name', message: 'name must be a non-empty string' });
  }
  return problems;
}

/** Throws the problems of a decorator's options as one {@link DefinitionError}, `where` first. */
export function throwOptionProblems(where: string, problems: readonly OptionProblem[]): void {
  if (problems.length > 0) throw new DefinitionError(`${where}: ${problems.map((p) => p.message).join('; ')}.`);
}

/**
 * The workflows or steps of one class that reuse a name an earlier one has,
 * each with the message saying so: the name is the journal's and the events'
 * id, so each needs its own.
 */
export function duplicateNameProblems<T extends { name: string; method: string }>(
  className: string,
  what: 'workflow' | 'step',
  entries: readonly T[],
): { entry: T; message: string }[] {
  const firstMethod = new Map<string, string>();
  const duplicates: { entry: T; message: string }[] = [];
  for (const entry of entries) {
    const first = firstMethod.get(entry.name);
    if (first === undefined) {
      firstMethod.set(entry.name, entry.method);
      continue;
    }
    duplicates.push({
      entry,
      message:
        `${className}: ${what} name '${entry.name}' is used by both ${first}() and ${entry.method}(). ` +
        `Each ${what} needs its own stable name.`,
    });
  }
  return duplicates;
}

const DAY_MS = 86_400_000;
/** Lifetimes of an execution when `@DurableService` names none. */
export const DEFAULT_EXECUTION_TIMEOUT_MS = 30 * DAY_MS;
export const DEFAULT_RETENTION_MS = 30 * DAY_MS;
const MAX_EXECUTION_TIMEOUT_MS = 366 * DAY_MS;

/** An execution's lifetimes in ms: how long it may run, and how long its journal is kept once finished. */
export interface Lifetimes {
  executionTimeoutMs: number;
  retentionMs: number;
}

/** The `executionTimeout` and `retention` of a service, checked; a {@link DefinitionError} when out of range. */
export function lifetimesOf(className: string, options: DurableServiceOptions): Lifetimes {
  const checked = checkLifetimes(options as { [key: string]: unknown });
  if ('problem' in checked) throw new DefinitionError(`@DurableService on ${className}: ${checked.problem.message}.`);
  return checked.lifetimes;
}

function checkLifetimes(options: { [key: string]: unknown }): { lifetimes: Lifetimes } | { problem: OptionProblem } {
  const problem = (option: string, message: string) => ({
    problem: { code: 'invalid-option' as const, option, message },
  });
  const lifetimeMs = (option: 'executionTimeout' | 'retention', defaultMs: number): number | string => {
    const duration = options[option];
    if (duration === undefined) return defaultMs;
    try {
      return durationToMs(duration as Duration, option);
    } catch (error) {
      return (error as Error).message;
    }
  };
  const executionTimeoutMs = lifetimeMs('executionTimeout', DEFAULT_EXECUTION_TIMEOUT_MS);
  if (typeof executionTimeoutMs === 'string') return problem('executionTimeout', executionTimeoutMs);
  if (!(executionTimeoutMs > 0 && executionTimeoutMs <= MAX_EXECUTION_TIMEOUT_MS)) {
    return problem(
      'executionTimeout',
      `executionTimeout must be more than 0 and at most 366 days (got ${executionTimeoutMs} ms)`,
    );
  }
  const retentionMs = lifetimeMs('retention', DEFAULT_RETENTION_MS);
  if (typeof retentionMs === 'string') return problem('retention', retentionMs);
  if (!(retentionMs > 0)) return problem('retention', `retention must be more than 0 (got ${retentionMs} ms)`);
  return { lifetimes: { executionTimeoutMs, retentionMs } };
}
