import type { ExecutionResult } from '../engine/invocation.js';
import { isDurableError, PayloadTooLargeError } from '../errors.js';
import { CHILD_INVOKE_PROTOCOL, type ChildInvokeAnswer, LAMBDA_PAYLOAD_LIMIT_BYTES } from '../invoke/protocol.js';
import type { ExecutionKey } from '../journal/records.js';
import { serialize, serializeError } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import type { ExecutionRequest } from './events.js';
import type { LambdaContext } from './lambda-context.js';

/**
 * Refusals that no retry can get past, decided before anything was written: the child is answered FAILED with
 * them, so the parent records its invoke as failed instead of asking again forever.
 */
const REFUSALS = new Set(['UNKNOWN_WORKFLOW', 'EXECUTION_CONFLICT', 'PAYLOAD_TOO_LARGE', 'SERIALIZATION']);

/** One invocation of a child execution, as createHandler runs it for a child-invoke event. */
export interface ChildInvocation {
  /** The store to run the invocation on: the handler's, watched for how the execution ends. */
  readonly store: CheckpointStore;
  /** The answer to the parent (invoke/protocol.ts) once `running` settles; rethrows what may pass. */
  answer(running: Promise<ExecutionResult>): Promise<ChildInvokeAnswer>;
}

/**
 * Answers a parent's child-invoke event. The engine throws both a FAILED
 * execution's error and what may pass (a busy lease, an unavailable store); the
 * parent must record the first and retry the second. Which one it was is what
 * the store saw, not the error's kind (a workflow may fail with a retryable
 * kind of error): the answer is FAILED, with the error exactly as recorded,
 * when this invocation found the execution FAILED or ended it FAILED, or when
 * it was refused before anything was written for a reason a retry cannot
 * change (see REFUSALS); anything else is rethrown, so the parent retries.
 */
export function childInvocation(store: CheckpointStore, key: ExecutionKey): ChildInvocation {
  let recordedError: string | undefined;
  let claimed = false;
  const isThis = (other: ExecutionKey): boolean =>
    other.service === key.service && other.executionId === key.executionId;
  const claim: CheckpointStore['claim'] = async (request) => {
    const outcome = await store.claim(request);
    if (isThis(request.key)) {
      if (outcome.kind === 'claimed') claimed = true;
      if (outcome.kind === 'finished' && outcome.record.status === 'FAILED') {
        recordedError = outcome.record.error ?? serializeError(new Error('the child failed without a recorded error'));
      }
    }
    return outcome;
  };
  const transition: CheckpointStore['transition'] = async (target, owner, to, now) => {
    const written = await store.transition(target, owner, to, now);
    if (isThis(target)) {
      if (written.ok && to.status === 'FAILED') recordedError = to.error;
      // Another invocation finished it first: its record is the outcome.
      if (!written.ok && written.current?.status === 'FAILED') recordedError = written.current.error;
    }
    return written;
  };
  // Every other method goes straight to the store, whatever methods it has.
  const watched = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'claim') return claim;
      if (property === 'transition') return transition;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  const answer = async (running: Promise<ExecutionResult>): Promise<ChildInvokeAnswer> => {
    const { executionId } = key;
    let result: ExecutionResult;
    try {
      result = await running;
    } catch (error) {
      if (recordedError !== undefined)
        return bounded({ ...header(executionId), status: 'FAILED', error: recordedError });
      if (!claimed && isDurableError(error) && REFUSALS.has(error.code)) {
        return bounded({ ...header(executionId), status: 'FAILED', error: serializeError(error) });
      }
      throw error;
    }
    if (result.status === 'SUSPENDED') {
      return {
        ...header(executionId),
        status: 'SUSPENDED',
        ...(result.resumeAt === undefined ? {} : { resumeAt: result.resumeAt }),
      };
    }
    return bounded({
      ...header(executionId),
      status: 'SUCCEEDED',
      output: serialize(result.output, `the output of child execution '${executionId}'`),
    });
  };
  return { store: watched, answer };
}

/** The time an invocation may use: its Lambda deadline, and for a child no more than its parent has left. */
export function invocationTimeLeft(
  request: ExecutionRequest,
  lambdaContext: LambdaContext | undefined,
): number | undefined {
  const own = lambdaContext?.getRemainingTimeInMillis?.();
  const caller = request.callerRemainingMs;
  if (own === undefined) return caller;
  return caller === undefined ? own : Math.min(own, caller);
}

function header(executionId: string): { durableInvoke: typeof CHILD_INVOKE_PROTOCOL; executionId: string } {
  return { durableInvoke: CHILD_INVOKE_PROTOCOL, executionId };
}

/**
 * The answer, or FAILED with PayloadTooLargeError when it is over Lambda's response limit: Lambda would drop it and
 * report a function error, which the parent would retry forever against the same recorded outcome.
 */
function bounded(answer: ChildInvokeAnswer): ChildInvokeAnswer {
  const size = Buffer.byteLength(JSON.stringify(answer));
  if (size <= LAMBDA_PAYLOAD_LIMIT_BYTES) return answer;
  const error = new PayloadTooLargeError(
    `the answer of child execution '${answer.executionId}'`,
    size,
    LAMBDA_PAYLOAD_LIMIT_BYTES,
  );
  return { ...header(answer.executionId), status: 'FAILED', error: serializeError(error) };
}
