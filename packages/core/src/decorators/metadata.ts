import 'reflect-metadata';
import type { RetryPolicy } from '../engine/retry.js';
import { DefinitionError } from '../errors.js';

/** Which backend runs a service (DESIGN §5). */
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
}

/** Options of `@Workflow`. */
export interface WorkflowOptions {
  /** Stable name events use to pick this workflow; defaults to the method name. */
  name?: string;
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
   */
  semantics?: StepSemantics;
  /** Fail the attempt with `StepTimeoutError` after this long (the body is not cancelled). */
  timeoutMs?: number;
}

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

export interface StepDefinition {
  name: string;
  method: string;
  options: StepOptions;
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
  const workflows = workflowsOf(target.prototype);
  const steps = stepsOf(target.prototype);
  assertUnique(target.name, 'workflow', workflows);
  assertUnique(target.name, 'step', steps);
  Reflect.defineMetadata(SERVICE, { ...options, name }, target);
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
