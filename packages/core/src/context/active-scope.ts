import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvokeTarget } from '../invoke/invoker.js';
import type { OperationRecord } from '../journal/records.js';
import type { StepDefinition } from './step-options.js';

/** The record an operation's path depended on: see `OperationRecord.follows`. */
export type Basis = NonNullable<OperationRecord['follows']>;

/**
 * Where durable calls are being made from: which execution, and which branch
 * of it. `@Step` methods are called as `this.charge(order)`, with no context
 * argument, so they find their execution here; each parallel/map branch runs
 * in its own scope, which is what makes child positions deterministic.
 */
export interface Scope {
  readonly execution: OperationHost;
  /** Position of the parallel/map branch this scope is, '' at the top level. */
  readonly prefix: string;
  /** Operations started in this scope so far. */
  counter: number;
  /** The last recorded outcome this scope's code has had: what its next operation follows. */
  basis: Basis | undefined;
  /** Set while a step's body runs: durable calls made there are not recorded. */
  readonly inStep?: string;
}

/**
 * What an execution does for workflow code: every durable operation. The
 * engine implements it; `DurableContext` and `@Step` call it, so this folder
 * never imports the engine.
 */
export interface OperationHost {
  readonly executionId: string;
  readonly isReplaying: boolean;
  /** The engine's clock, what `ctx.now()` records. */
  clock(): number;
  runStep(scope: Scope, definition: StepDefinition, args: unknown[], body: () => unknown): Promise<unknown>;
  sleep(scope: Scope, name: string, durationMs: number): Promise<void>;
  recordValue<T>(scope: Scope, kind: 'now' | 'random' | 'uuid', produce: () => T): Promise<T>;
  invoke(scope: Scope, target: InvokeTarget, input: unknown): Promise<unknown>;
  waitForCallback(
    scope: Scope,
    name: string,
    submit: (token: string) => unknown,
    timeoutMs: number | undefined,
  ): Promise<unknown>;
  all<T>(
    scope: Scope,
    kind: 'parallel' | 'map',
    name: string,
    branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
    maxConcurrency: number,
  ): Promise<T[]>;
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
