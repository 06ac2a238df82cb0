import 'reflect-metadata';
import type { StepDefinition } from '../context/step-options.js';
import { DefinitionError } from '../errors.js';
import {
  type DurableServiceOptions,
  duplicateNameProblems,
  serviceNameOf,
  serviceOptionProblems,
  throwOptionProblems,
} from './options.js';

export type { StepDefinition, StepOptions, StepSemantics } from '../context/step-options.js';
export {
  BACKENDS,
  type Backend,
  DEFAULT_EXECUTION_TIMEOUT_MS,
  DEFAULT_RETENTION_MS,
  type DurableServiceOptions,
  kebabCase,
  type Lifetimes,
  lifetimesOf,
  SERVICE_OPTION_NAMES,
  WORKFLOW_OPTION_NAMES,
  type WorkflowOptions,
} from './options.js';

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

/** Records a service's definition; a {@link DefinitionError} naming every problem of its options and names. */
export function defineService(
  target: abstract new (...args: never[]) => unknown,
  options: DurableServiceOptions,
): void {
  throwOptionProblems(`@DurableService on ${target.name}`, serviceOptionProblems(target.name, options));
  const workflows = workflowsOf(target.prototype);
  const steps = stepsOf(target.prototype);
  for (const [what, entries] of [
    ['workflow', workflows],
    ['step', steps],
  ] as const) {
    const [duplicate] = duplicateNameProblems(target.name, what, entries);
    if (duplicate !== undefined) throw new DefinitionError(duplicate.message);
  }
  Reflect.defineMetadata(SERVICE, { ...options, name: serviceNameOf(target.name, options) }, target);
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
