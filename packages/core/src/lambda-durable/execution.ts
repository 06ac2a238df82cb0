import type { DurableContext as SdkContext } from '@aws/durable-execution-sdk-js';
import { activeScope, type OperationHost, type Scope } from '../context/active-scope.js';
import type { Logger } from '../context/logger.js';
import type { StepDefinition } from '../context/step-options.js';
import { ConfigurationError, ContextMisuseError, type DurableError, NonDeterminismError } from '../errors.js';
import type { InvokeTarget } from '../invoke/invoker.js';
import type { OperationSignature } from '../journal/records.js';
import { runBranches } from './operations/branches.js';
import { waitForCallback } from './operations/callback.js';
import { invoke } from './operations/invoke.js';
import { sleep } from './operations/sleep.js';
import { recordValue, runStep } from './operations/step.js';
import { positionOf, recordedSignature, replayMismatch } from './replay-check.js';
import { isReplayMode, isTerminating, nextStepId, recordedOperation } from './sdk-internals.js';

/** What the service takes as an operation's name (its API's pattern and length). */
const SDK_NAME = /^[\x20-\x7E]{1,256}$/;

/** A scope of an execution on the SDK: the top level or a branch, bound to the SDK context that records it. */
export interface SdkScope extends Scope {
  readonly sdk: SdkContext;
}

/** What one invocation's execution needs besides the SDK's context. */
export interface SdkExecutionSettings {
  service: string;
  workflow: string;
  /** The clock `ctx.now()` records. */
  now: () => number;
  /** Largest payload of one operation (a step's result, an invoke's input, the output). */
  maxPayloadBytes: number;
  /** Where the adapter's own lines go (a non-determinism, once). */
  logger: Logger;
  /** Where invoke targets' ARN variables are read. */
  env: Record<string, string | undefined>;
}

/** One operation as {@link SdkExecution.begin} hands it out: where it is, and the context that records it. */
export interface Begun {
  readonly sdk: SdkContext;
  readonly stepId: string;
  readonly position: string;
}

/**
 * One invocation's run of an execution on AWS Lambda durable functions: what workflow code calls
 * (`DurableContext`, `@Step`) goes through here to the SDK. Every operation first passes {@link begin}, which
 * checks it against what the SDK recorded at its position; on a mismatch it fails the execution before the SDK
 * is asked to do anything, and from then on no step body, submitter or branch starts: the SDK alone would have
 * run the next new step's side effect before failing. The operation kinds live in operations/.
 */
export class SdkExecution implements OperationHost {
  readonly root: SdkScope;
  /** Settles with the error that ends the execution FAILED whatever the workflow does (a non-determinism). */
  readonly fatal: Promise<DurableError>;
  #fatal: DurableError | undefined;
  #resolveFatal!: (error: DurableError) => void;

  constructor(
    readonly sdk: SdkContext,
    readonly settings: SdkExecutionSettings,
  ) {
    this.root = { execution: this, prefix: '', counter: 0, basis: undefined, sdk };
    this.fatal = new Promise((resolve) => {
      this.#resolveFatal = resolve;
    });
  }

  /** The durable execution's ARN: what names it in the service's APIs. */
  get executionId(): string {
    return this.sdk.executionContext.durableExecutionArn;
  }

  /** Whether the SDK context the calling code runs in is replaying (each branch has its own). */
  get isReplaying(): boolean {
    const scope = activeScope();
    return isReplayMode(scope !== undefined && scope.execution === this ? sdkOf(scope) : this.sdk);
  }

  /** True once the execution's outcome is decided in this invocation: nothing more starts. */
  get hasEnded(): boolean {
    return this.#fatal !== undefined;
  }

  /** The error that ends the execution FAILED, once there is one (see {@link fail}). */
  get failure(): DurableError | undefined {
    return this.#fatal;
  }

  clock(): number {
    return this.settings.now();
  }

  /**
   * The first stage of every operation: the position it takes in `scope`, checked against the record there.
   * A mismatch fails the execution ({@link fail}) and throws into the calling code.
   */
  begin(scope: Scope, actual: OperationSignature, branches?: number): Begun {
    if (this.hasEnded) {
      throw new ContextMisuseError(
        `${actual.kind} '${actual.name}' was called after this execution failed (${this.#fatal?.code}); ` +
          'nothing more is run in this invocation.',
      );
    }
    if (!SDK_NAME.test(actual.name)) {
      throw new ConfigurationError(
        `${actual.kind} name '${actual.name}' cannot be recorded on backend 'lambda-durable': the service takes ` +
          'names of 1 to 256 printable ASCII characters. Give the operation such a name.',
      );
    }
    const sdk = sdkOf(scope);
    const stepId = nextStepId(sdk);
    const position = positionOf(stepId);
    const recorded = recordedOperation(sdk, stepId);
    if (recorded !== undefined) {
      const mismatch = replayMismatch(sdk, stepId, recorded, actual, branches);
      if (mismatch !== undefined) this.fail(new NonDeterminismError(position, mismatch, actual));
    }
    return { sdk, stepId, position };
  }

  /**
   * When `scope`'s code has ended (the workflow returned or threw, a branch settled): a recorded operation it did
   * not reach fails the execution, before anything after it runs.
   */
  checkUnreached(scope: Scope): void {
    if (this.hasEnded) return;
    const sdk = sdkOf(scope);
    const stepId = nextStepId(sdk);
    const recorded = recordedOperation(sdk, stepId);
    if (recorded === undefined) return;
    const { signature } = recordedSignature(sdk, stepId, recorded);
    this.fail(new NonDeterminismError(positionOf(stepId), signature, null));
  }

  /** Ends the execution FAILED with `error` (logged once), whatever the workflow does with it, and throws it. */
  fail(error: DurableError): never {
    if (this.#fatal === undefined) {
      this.#fatal = error;
      const { logger, service, workflow } = this.settings;
      logger.error(error.message, { service, workflow, executionId: this.executionId, code: error.code });
      this.#resolveFatal(error);
    }
    throw error;
  }

  /** Whether a body (a step's, a submitter, a branch) may start now in `scope`: not after the outcome is decided. */
  mayRun(scope: Scope): boolean {
    return !this.hasEnded && !isTerminating(sdkOf(scope));
  }

  // The operations workflow code calls (DurableContext, @Step): one file each in operations/.

  runStep(scope: Scope, definition: StepDefinition, args: unknown[], body: () => unknown): Promise<unknown> {
    return runStep(this, scope, definition, args, body);
  }

  sleep(scope: Scope, name: string, durationMs: number): Promise<void> {
    return sleep(this, scope, name, durationMs);
  }

  recordValue<T>(scope: Scope, kind: 'now' | 'random' | 'uuid', produce: () => T): Promise<T> {
    return recordValue(this, scope, kind, produce);
  }

  invoke(scope: Scope, target: InvokeTarget, input: unknown): Promise<unknown> {
    return invoke(this, scope, target, input);
  }

  waitForCallback(
    scope: Scope,
    name: string,
    submit: (token: string) => unknown,
    timeoutMs: number | undefined,
  ): Promise<unknown> {
    return waitForCallback(this, scope, name, submit, timeoutMs);
  }

  all<T>(
    scope: Scope,
    kind: 'parallel' | 'map',
    name: string,
    branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
    maxConcurrency: number,
  ): Promise<T[]> {
    return runBranches(this, scope, kind, name, branches, maxConcurrency);
  }
}

/** The SDK context a scope of an {@link SdkExecution} records in. */
export function sdkOf(scope: Scope): SdkContext {
  return (scope as SdkScope).sdk;
}

/** Never settles: what a body gets instead of running once the execution's outcome is decided. */
export const NEVER: Promise<never> = new Promise(() => {});
