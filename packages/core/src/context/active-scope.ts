import { AsyncLocalStorage } from 'node:async_hooks';
import type { StepDefinition } from '../decorators/metadata.js';

/**
 * Where durable calls are being made from: which execution, and which branch
 * of it. `@Step` methods are called as `this.charge(order)`, with no context
 * argument, so they find their execution here; each parallel/map branch runs
 * in its own scope, which is what makes child positions deterministic.
 */
export interface Scope {
  readonly execution: ScopeOwner;
  /** Position of the parallel/map branch this scope is, '' at the top level. */
  readonly prefix: string;
  /** Operations started in this scope so far. */
  counter: number;
  /** Set while a step's body runs: durable calls made there are not recorded. */
  readonly inStep?: string;
}

/** What a scope needs of its execution (the engine implements it). */
export interface ScopeOwner {
  runStep(scope: Scope, definition: StepDefinition, args: unknown[], body: () => unknown): Promise<unknown>;
}

const storage = new AsyncLocalStorage<Scope>();

/** The scope of the code running now, if it runs inside an execution. */
export function activeScope(): Scope | undefined {
  return storage.getStore();
}

/** Runs `fn` (and everything it awaits) in `scope`. */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The next position of `scope`: `4`, or `7.2.4` inside the second branch of the parallel at 7. */
export function nextPosition(scope: Scope): string {
  scope.counter += 1;
  return scope.prefix === '' ? String(scope.counter) : `${scope.prefix}.${scope.counter}`;
}
