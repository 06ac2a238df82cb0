import { activeScope } from '../context/active-scope.js';
import { DefinitionError } from '../errors.js';
import { addStep, type StepDefinition, type StepOptions } from './metadata.js';

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

/** Rejects step options the engine could not honour, at decoration time. */
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
