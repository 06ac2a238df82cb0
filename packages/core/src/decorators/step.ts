import { activeScope } from '../context/active-scope.js';
import { type StepDefinition, type StepOptions, validateStepOptions } from '../context/step-options.js';
import { DefinitionError } from '../errors.js';
import { addStep } from './metadata.js';

/**
 * Marks a method as a step: called from workflow code, its result is
 * checkpointed and, on replay, returned from the journal without running the
 * body again. Called outside an execution (a unit test), it just runs. Called
 * from inside another step's body, it runs as part of that step.
 *
 * @example
 * ```ts
 * @Step({ retry: { maxAttempts: 5 }, semantics: 'at-most-once' })
 * async charge(order: Order): Promise<Receipt> { ... }
 * ```
 */
export function Step(options: StepOptions = {}): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const body = descriptor.value;
    if (typeof propertyKey !== 'string' || typeof body !== 'function') {
      throw new DefinitionError(`@Step must decorate a method with a string name (got ${String(propertyKey)}).`);
    }
    validateStepOptions(`${target.constructor.name}.${propertyKey}`, options);
    const definition: StepDefinition = { name: options.name ?? propertyKey, method: propertyKey, options };
    addStep(target, definition);
    const durableStep = function (this: unknown, ...args: unknown[]): unknown {
      const scope = activeScope();
      if (scope === undefined || scope.inStep !== undefined) return body.apply(this, args);
      return scope.execution.runStep(scope, definition, args, () => body.apply(this, args));
    };
    Object.defineProperty(durableStep, 'name', { value: propertyKey });
    (descriptor as TypedPropertyDescriptor<unknown>).value = durableStep;
  };
}
