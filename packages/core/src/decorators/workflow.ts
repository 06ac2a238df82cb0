import { DefinitionError } from '../errors.js';
import { addWorkflow } from './metadata.js';
import { throwOptionProblems, type WorkflowOptions, workflowOptionProblems } from './options.js';

/**
 * Marks a method as an entry point of its service. Its first parameter is the
 * `DurableContext`, its second the JSON input of the event. Workflow code is
 * replayed: everything outside steps and `ctx` calls must be deterministic.
 */
export function Workflow(options: WorkflowOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    if (typeof propertyKey !== 'string' || typeof descriptor.value !== 'function') {
      throw new DefinitionError(`@Workflow must decorate a method with a string name (got ${String(propertyKey)}).`);
    }
    throwOptionProblems(`@Workflow on ${target.constructor.name}.${propertyKey}`, workflowOptionProblems(options));
    addWorkflow(target, { name: options.name ?? propertyKey, method: propertyKey });
  };
}
