import { type DurableServiceOptions, defineService } from './metadata.js';

/**
 * Marks a class as a durable service: one Lambda function whose `@Workflow`
 * methods are entry points and whose `@Step` methods are checkpointed.
 *
 * @example
 * ```ts
 * @DurableService({ name: 'reviews' })
 * export class ReviewService { ... }
 * ```
 */
export function DurableService(options: DurableServiceOptions = {}): ClassDecorator {
  return (target) => {
    defineService(target as unknown as abstract new (...args: never[]) => unknown, options);
  };
}
