import 'reflect-metadata';
import { type Duration, durationToMs } from '../context/duration.js';
import type { StepDefinition } from '../context/step-options.js';
import { DefinitionError } from '../errors.js';

/** Which backend runs a service. */
export type Backend = 'dynamodb' | 'lambda-durable';

/** Options of `@DurableService`. */
export interface DurableServiceOptions {
  /** Stable name: the key prefix in the store and the stub's file name. Defaults to the class name in kebab-case. */
  name?: string;
  /** AWS account the function is deployed in (12 digits). */
  account?: string;
  region?: string;
  /** Lambda function name; defaults to the service name. */
  functionName?: string;
  backend?: Backend;
  /** Checkpoint table name; defaults to the `DURABLE_TABLE` environment variable. */
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

/** Every option `@Workflow` takes. */
export const WORKFLOW_OPTION_NAMES = ['name'] as const satisfies readonly (keyof WorkflowOptions)[];

/** Options of `@Workflow`. */
export interface WorkflowOptions {
  /** Stable name events use to pick this workflow; defaults to the method name. */
  name?: string;
}

export type { StepDefinition, StepOptions, StepSemantics } from '../context/step-options.js';

/** A service as the engine sees it. */
export interface ServiceDefinition {
  className: string;
  name: string;
  options: DurableServiceOptions;
  workflows: WorkflowDefinition[];
  steps: StepDefinition[];
}

export interface WorkflowDefinition {
  name: string;
  method: string;
}

const SERVICE = Symbol.for('@durable/core:service');
const WORKFLOWS = Symbol.for('@durable/core:workflows');
const STEPS = Symbol.for('@durable/core:steps');

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** `ReviewService` → `review-service`. */
export function kebabCase(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function defineService(
  target: abstract new (...args: never[]) => unknown,
  options: DurableServiceOptions,
): void {
  const name = options.name ?? kebabCase(target.name);
  if (!SERVICE_NAME.test(name)) {
    throw new DefinitionError(
      `@DurableService on ${target.name}: name '${name}' must be lowercase letters, digits and '-', start with a ` +
        'letter and be at most 63 characters (it prefixes store keys and function names).',
    );
  }
  lifetimesOf(target.name, options);
  const workflows = workflowsOf(target.prototype);
  const steps = stepsOf(target.prototype);
  assertUnique(target.name, 'workflow', workflows);
  assertUnique(target.name, 'step', steps);
  Reflect.defineMetadata(SERVICE, { ...options, name }, target);
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
  try {
    const executionTimeoutMs =
      options.executionTimeout === undefined
        ? DEFAULT_EXECUTION_TIMEOUT_MS
        : durationToMs(options.executionTimeout, `@DurableService executionTimeout of ${className}`);
    const retentionMs =
      options.retention === undefined
        ? DEFAULT_RETENTION_MS
        : durationToMs(options.retention, `@DurableService retention of ${className}`);
    if (!(executionTimeoutMs > 0 && executionTimeoutMs <= MAX_EXECUTION_TIMEOUT_MS)) {
      throw new Error(`executionTimeout must be more than 0 and at most 366 days (got ${executionTimeoutMs} ms)`);
    }
    if (!(retentionMs > 0)) throw new Error(`retention must be more than 0 (got ${retentionMs} ms)`);
    return { executionTimeoutMs, retentionMs };
  } catch (error) {
    throw new DefinitionError(`@DurableService on ${className}: ${(error as Error).message}.`);
  }
}

function assertUnique(className: string, what: string, entries: { name: string; method: string }[]): void {
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const other = seen.get(entry.name);
    if (other !== undefined) {
      throw new DefinitionError(
        `${className}: ${what} name '${entry.name}' is used by both ${other}() and ${entry.method}(). ` +
          `Each ${what} needs its own stable name.`,
      );
    }
    seen.set(entry.name, entry.method);
  }
}

export function addWorkflow(prototype: object, definition: WorkflowDefinition): void {
  Reflect.defineMetadata(WORKFLOWS, [...workflowsOf(prototype), definition], prototype);
}

export function addStep(prototype: object, definition: StepDefinition): void {
  Reflect.defineMetadata(STEPS, [...stepsOf(prototype), definition], prototype);
}

function workflowsOf(prototype: object): WorkflowDefinition[] {
  return (Reflect.getMetadata(WORKFLOWS, prototype) as WorkflowDefinition[] | undefined) ?? [];
}

function stepsOf(prototype: object): StepDefinition[] {
  return (Reflect.getMetadata(STEPS, prototype) as StepDefinition[] | undefined) ?? [];
}

/** The definition of a `@DurableService` class; a {@link DefinitionError} for any other class. */
export function serviceDefinition(target: abstract new (...args: never[]) => unknown): ServiceDefinition {
  const options = Reflect.getMetadata(SERVICE, target) as (DurableServiceOptions & { name: string }) | undefined;
  if (options === undefined) {
    throw new DefinitionError(
      `${target.name} is not a durable service: decorate the class with @DurableService() from @durable/core.`,
    );
  }
  return {
    className: target.name,
    name: options.name,
    options,
    workflows: workflowsOf(target.prototype),
    steps: stepsOf(target.prototype),
  };
}
