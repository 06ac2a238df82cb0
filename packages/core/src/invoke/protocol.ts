import {
  ConfigurationError,
  type DurableError,
  InvalidEventError,
  InvokeUnavailableError,
  PayloadTooLargeError,
} from '../errors.js';
import type { ExecutionKey } from '../journal/records.js';
import { deserialize, serialize } from '../serde/serialize.js';
import type { InvokeOutcome, InvokeRequest } from './invoker.js';

/**
 * The child-invoke protocol: the event a parent's invoker sends to the target's
 * handler, and the answer it gets back. Values travel as the journal keeps them
 * (serde/serialize.ts) on both legs, so Date, BigInt, Map, Set, undefined,
 * Uint8Array and errors with their class, code and own fields survive; a child
 * that ended FAILED is an answer, not a thrown Lambda error, so nothing of its
 * error is lost to Lambda's error rendering. `LambdaInvoker` and
 * `InProcessInvoker` both encode and decode here; handler/child-answer.ts answers.
 */

/** Version of the protocol, carried in every event and answer; a handler refuses another. */
export const CHILD_INVOKE_PROTOCOL = 1;

/**
 * Longest execution id of any execution, children included, in UTF-16 code units. Ids from outside are shorter
 * (handler/events.ts: 256), so that `<parent id>/<position>` fits for several levels of children.
 */
export const MAX_EXECUTION_ID_LENGTH = 512;

/** Lambda's limit on the request and the response payload of a synchronous invocation (6 MB). */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * Code of the retryable `DurableError` an invoker throws when the child's outcome cannot be known now: Lambda
 * reported a function error (a timeout, a crash, what the child's handler threw), the Invoke request failed
 * (throttling, access denied, the network), the in-process handler threw something that is no retryable error of
 * this package, or the in-process invoker does not run the target service.
 */
export const INVOKE_UNAVAILABLE = InvokeUnavailableError.code;

/** What a parent sends to run (or resume, or read the outcome of) its child `executionId`. */
export interface ChildInvokeEvent {
  durableInvoke: typeof CHILD_INVOKE_PROTOCOL;
  /** `<parent.executionId>/<position>`. */
  executionId: string;
  workflow: string;
  /** The child's input, serialized (serde/serialize.ts). */
  input: string;
  parent: ExecutionKey;
  /** Time the parent invocation has left: the child does not wait in-process longer than this. */
  remainingMs?: number;
}

/** What the handler answers to a {@link ChildInvokeEvent}. Anything it throws is transient (see InvokeOutcome). */
export type ChildInvokeAnswer =
  | { durableInvoke: typeof CHILD_INVOKE_PROTOCOL; status: 'SUCCEEDED'; executionId: string; output: string }
  | { durableInvoke: typeof CHILD_INVOKE_PROTOCOL; status: 'FAILED'; executionId: string; error: string }
  | { durableInvoke: typeof CHILD_INVOKE_PROTOCOL; status: 'SUSPENDED'; executionId: string; resumeAt?: number };

/** `7`, `7.2.1`: a journal position, as child ids end. */
const POSITION = /^\d+(?:\.\d+)*$/;

/**
 * The parent id and position of a child execution id (`<parent id>/<position>`), or undefined when `executionId`
 * is not of that form. Parent ids may hold `/` themselves (a grandchild's parent is a child).
 */
export function splitChildExecutionId(executionId: string): { parentId: string; position: string } | undefined {
  const slash = executionId.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const position = executionId.slice(slash + 1);
  return POSITION.test(position) ? { parentId: executionId.slice(0, slash), position } : undefined;
}

/**
 * The event that runs `request`'s child, or the error that fails the invoke for good before anything is sent: the
 * child id is too long (invokes nested too deeply under a long id) or not `<parent id>/<position>`, the input cannot
 * be serialized, or the event is over Lambda's payload limit. The same request gives the same refusal on every
 * replay, so the parent records it as the invoke's failure.
 */
export function encodeChildInvoke(request: InvokeRequest): { event: ChildInvokeEvent } | { refusal: DurableError } {
  const name = `${request.target.service}.${request.target.workflow}`;
  const { executionId, parent } = request;
  if (executionId.length > MAX_EXECUTION_ID_LENGTH) {
    return {
      refusal: new InvalidEventError(
        `the child execution id of invoke '${name}' would be ${executionId.length} characters long, over the maximum ` +
          `of ${MAX_EXECUTION_ID_LENGTH}: each level of invokes adds '/<position>' to the parent id ` +
          `'${abbreviate(parent.executionId)}', so start the top-level execution with a shorter id or nest fewer invokes`,
      ),
    };
  }
  if (splitChildExecutionId(executionId)?.parentId !== parent.executionId) {
    return {
      refusal: new InvalidEventError(
        `the child execution id '${abbreviate(executionId)}' of invoke '${name}' is not ` +
          `'<parent id>/<position>' for its parent '${abbreviate(parent.executionId)}'`,
      ),
    };
  }
  let input: string;
  try {
    input = serialize(request.input, `the input of invoke '${name}'`);
  } catch (error) {
    return { refusal: error as DurableError };
  }
  const event: ChildInvokeEvent = {
    durableInvoke: CHILD_INVOKE_PROTOCOL,
    executionId,
    workflow: request.target.workflow,
    input,
    parent: { service: parent.service, executionId: parent.executionId },
    ...(request.remainingMs === undefined ? {} : { remainingMs: Math.max(0, Math.floor(request.remainingMs)) }),
  };
  const size = Buffer.byteLength(JSON.stringify(event));
  if (size > LAMBDA_PAYLOAD_LIMIT_BYTES) {
    return { refusal: new PayloadTooLargeError(`the invoke event of '${name}'`, size, LAMBDA_PAYLOAD_LIMIT_BYTES) };
  }
  return { event };
}

/**
 * The error an invoker throws for a child whose outcome cannot be known now (code {@link INVOKE_UNAVAILABLE},
 * retryable: the engine records nothing and the parent asks again later). `fields` (e.g. Lambda's `errorType`) are
 * set on it; `cause` is the error underneath.
 */
export function invokeUnavailable(
  request: InvokeRequest,
  where: string,
  reason: string,
  fields: Record<string, unknown> = {},
  cause?: unknown,
): DurableError {
  const error = new InvokeUnavailableError(
    request.executionId,
    `Invoke of '${request.target.service}.${request.target.workflow}' (child execution ` +
      `'${abbreviate(request.executionId)}', ${where}) has no outcome yet: ${reason.replace(/\.$/, '')}. Nothing ` +
      'was recorded for it; a later invocation of the parent asks again.',
    cause === undefined ? undefined : { cause },
  );
  return Object.assign(error, { executionId: request.executionId, ...fields });
}

/**
 * The outcome a handler's answer to `request`'s event stands for. An answer that is not of this protocol for this
 * child (the target is not a durable handler of a compatible version, or not the right function) is FAILED with a
 * {@link ConfigurationError}: the deployed version answers the same on every replay.
 */
export function decodeChildAnswer(answer: unknown, request: InvokeRequest, from: string): InvokeOutcome {
  try {
    return decodeAnswer(answer, request, from);
  } catch (error) {
    if (error instanceof ConfigurationError) return { status: 'FAILED', error };
    throw error;
  }
}

function decodeAnswer(answer: unknown, request: InvokeRequest, from: string): InvokeOutcome {
  const fields = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  const misfit = (reason: string): ConfigurationError =>
    new ConfigurationError(
      `Invoke of '${request.target.service}.${request.target.workflow}' (child execution ` +
        `'${abbreviate(request.executionId)}'): ${from} answered ${reason}, not a child-invoke answer of protocol ` +
        `${CHILD_INVOKE_PROTOCOL}. Check that the target ARN names this service's function and that it runs a ` +
        '@durable/core version that speaks this protocol.',
    );
  if (fields.durableInvoke !== CHILD_INVOKE_PROTOCOL) {
    throw misfit(
      fields.durableInvoke === undefined ? describeAnswer(answer) : `protocol ${String(fields.durableInvoke)}`,
    );
  }
  if (fields.executionId !== request.executionId) {
    throw misfit(`for execution ${JSON.stringify(fields.executionId)}`);
  }
  const read = (key: 'output' | 'error'): unknown => {
    const text = fields[key];
    if (typeof text !== 'string') throw misfit(`${fields.status} without a serialized '${key}'`);
    try {
      return deserialize(text);
    } catch {
      throw misfit(`${fields.status} with an unreadable '${key}'`);
    }
  };
  switch (fields.status) {
    case 'SUCCEEDED':
      return { status: 'SUCCEEDED', output: read('output') };
    case 'FAILED':
      return { status: 'FAILED', error: read('error') };
    case 'SUSPENDED':
      if (fields.resumeAt !== undefined && !Number.isFinite(fields.resumeAt))
        throw misfit('SUSPENDED with a bad resumeAt');
      return { status: 'SUSPENDED', resumeAt: fields.resumeAt as number | undefined };
    default:
      throw misfit(`status ${JSON.stringify(fields.status)}`);
  }
}

function describeAnswer(answer: unknown): string {
  if (answer === null || typeof answer !== 'object') return `${typeof answer === 'object' ? 'null' : typeof answer}`;
  const keys = Object.keys(answer);
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.slice(0, 6).join(', ')}`;
}

/** An id short enough for a message. */
function abbreviate(id: string): string {
  return id.length > 60 ? `${id.slice(0, 28)}…${id.slice(-28)}` : id;
}
