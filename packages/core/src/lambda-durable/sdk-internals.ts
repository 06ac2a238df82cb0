import { type DurableContext, type Operation, SDK_VERSION } from '@aws/durable-execution-sdk-js';
import { DurableSdkVersionError } from '../errors.js';
import { DURABLE_SDK_VERSION } from './sdk-version.js';

/**
 * The parts of `@aws/durable-execution-sdk-js` 2.4.0 that this adapter reads although they are not public API,
 * all in this one file. The SDK checks only the kind and the name at a position, and keeps running after a
 * mismatch; to check the arguments too, and to stop before any new side effect, the adapter reads what is
 * recorded at the position an operation is about to take, before handing the operation to the SDK. 2.4.0 offers
 * no public way to read it, nor whether a context is replaying. The SDK is pinned exactly (sdk-version.ts), and
 * {@link internalsOf} checks that the shape is there before anything is read.
 */

/** What a context of the SDK holds, read through {@link internalsOf}. */
interface ContextInternals {
  /** The id the next operation of this context takes (`3`, or `2-1-3` inside child contexts). */
  peekStepId(): string;
  /** `ExecutionMode`, `ReplayMode` or `ReplaySucceededContext`. */
  durableExecutionMode: string;
  /** This context's own operation id; undefined at the top level. */
  _stepPrefix: string | undefined;
  _executionContext: {
    /** The recorded operation of a (not yet hashed) step id. */
    getStepData(stepId: string): Operation | undefined;
    terminationManager: { isTerminated: boolean };
  };
}

const checked = new WeakSet<object>();

/** The internals of `context`; a {@link DurableSdkVersionError} if the loaded SDK does not have them. */
function internalsOf(context: DurableContext): ContextInternals {
  if (checked.has(context)) return context as unknown as ContextInternals;
  const inner = context as unknown as Partial<ContextInternals>;
  const execution = inner._executionContext;
  if (
    typeof inner.peekStepId !== 'function' ||
    typeof inner.durableExecutionMode !== 'string' ||
    typeof execution?.getStepData !== 'function' ||
    typeof execution.terminationManager?.isTerminated !== 'boolean'
  ) {
    throw new DurableSdkVersionError(
      DURABLE_SDK_VERSION,
      SDK_VERSION,
      'its contexts lack what the adapter reads (peekStepId, durableExecutionMode, the recorded operations): ' +
        `install exactly @aws/durable-execution-sdk-js@${DURABLE_SDK_VERSION} and rebundle`,
    );
  }
  checked.add(context);
  return inner as ContextInternals;
}

/** The SDK's id of the next operation `context` starts. */
export function nextStepId(context: DurableContext): string {
  return internalsOf(context).peekStepId();
}

/** The operation recorded under `stepId` (as {@link nextStepId} gives it), if any. */
export function recordedOperation(context: DurableContext, stepId: string): Operation | undefined {
  return internalsOf(context)._executionContext.getStepData(stepId);
}

/** The step id of a child context itself (a map item, a parallel branch); undefined for the top level. */
export function contextStepId(context: DurableContext): string | undefined {
  return internalsOf(context)._stepPrefix;
}

/** True while `context` re-runs operations its execution already recorded (what the SDK's logger checks). */
export function isReplayMode(context: DurableContext): boolean {
  return internalsOf(context).durableExecutionMode !== 'ExecutionMode';
}

/** True once the SDK decided to end this invocation (a suspension, or a failure it detected itself). */
export function isTerminating(context: DurableContext): boolean {
  return internalsOf(context)._executionContext.terminationManager.isTerminated;
}
