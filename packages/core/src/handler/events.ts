import { InvalidEventError } from '../errors.js';
import { CHILD_INVOKE_PROTOCOL, MAX_EXECUTION_ID_LENGTH, splitChildExecutionId } from '../invoke/protocol.js';
import type { ExecutionKey } from '../journal/records.js';
import { deserialize } from '../serde/serialize.js';
import type { LambdaContext } from './lambda-context.js';

/** What an event asks for, whatever envelope it came in. */
export interface ExecutionRequest {
  executionId: string;
  /** Absent: the service's only workflow, or the recorded one when resuming. */
  workflow?: string;
  /** Absent for a resume event (an id alone): the execution must exist. */
  input?: { value: unknown };
  /** Where the id came from, for logs; `invoke`: a parent's child-invoke event (invoke/protocol.ts). */
  idSource: 'event' | 'eventbridge' | 'sqs' | 'api' | 'request-id' | 'invoke';
  /** The parent execution, for a child-invoke event. */
  parent?: ExecutionKey;
  /** Time the parent invocation has left, for a child-invoke event: the child does not wait in-process longer. */
  callerRemainingMs?: number;
}

/**
 * Longest id an event from outside may start an execution with, in UTF-16 code units: the rest, up to
 * `MAX_EXECUTION_ID_LENGTH` (512), is kept for the ids of its children, `<parent id>/<position>`.
 */
export const MAX_EXTERNAL_ID_LENGTH = 256;

/**
 * What an id may be, by what the event does with it. `starts`: an event with an input, which can create the
 * execution: at most 256 units and no `/`, since ids with a `/` belong to child executions, which only their parent
 * creates (else an outside event could take a child's id first and fail the parent's invoke for good). `names`: an
 * event without input only resumes an existing execution, a child too: up to 512.
 */
type IdUse = 'starts' | 'names';

/**
 * Reads an event: `{ executionId?, workflow?, input }`, or an
 * EventBridge, single-record SQS or API Gateway event, or a parent's
 * child-invoke event (`{ durableInvoke: 1, … }`, invoke/protocol.ts). The
 * execution id is the event's own, else the envelope's, else the Lambda request
 * id (stable across Lambda's retries of one asynchronous invocation); with none
 * of these the event is refused, since a random id would start a second
 * execution on retry. Ids from outside never reach the ids of child executions:
 * an event that can start an execution (it has an input) may not use a `/` or
 * more than 256 characters; only the child-invoke event may, with the id
 * `<parent id>/<position>`. An event without input (a resume) may name a child.
 */
export function parseEvent(event: unknown, lambdaContext: LambdaContext | undefined): ExecutionRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`the event is ${describe(event)}, not an object`);
  }
  const fields = event as Record<string, unknown>;
  if ('durableInvoke' in fields) return parseChildInvoke(fields);
  if (typeof fields['detail-type'] === 'string' && 'detail' in fields && typeof fields.source === 'string') {
    return {
      executionId: checkId(fields.id, 'the EventBridge event id', 'starts'),
      input: { value: fields.detail },
      idSource: 'eventbridge',
    };
  }
  if (Array.isArray(fields.Records)) return parseSqs(fields.Records);
  if (typeof fields.requestContext === 'object' && fields.requestContext !== null && 'body' in fields) {
    return parseApi(fields);
  }
  if ('executionId' in fields || 'input' in fields || 'workflow' in fields) return parseExplicit(fields, lambdaContext);
  throw new InvalidEventError(
    `the event has none of the keys executionId, input, workflow (it has: ${keysOf(fields)})`,
  );
}

function parseExplicit(fields: Record<string, unknown>, lambdaContext: LambdaContext | undefined): ExecutionRequest {
  const unknownKeys = Object.keys(fields).filter((k) => k !== 'executionId' && k !== 'workflow' && k !== 'input');
  if (unknownKeys.length > 0) {
    throw new InvalidEventError(`unexpected key(s) ${unknownKeys.map((k) => `'${k}'`).join(', ')}`);
  }
  if (fields.workflow !== undefined && (typeof fields.workflow !== 'string' || fields.workflow === '')) {
    throw new InvalidEventError(`'workflow' must be a non-empty string (got ${describe(fields.workflow)})`);
  }
  const hasInput = 'input' in fields;
  let executionId: string;
  let idSource: ExecutionRequest['idSource'] = 'event';
  if (fields.executionId !== undefined) {
    executionId = checkId(fields.executionId, "'executionId'", hasInput ? 'starts' : 'names');
  } else if (hasInput && lambdaContext?.awsRequestId !== undefined) {
    executionId = checkId(lambdaContext.awsRequestId, 'the Lambda request id', 'starts');
    idSource = 'request-id';
  } else {
    throw new InvalidEventError(
      hasInput
        ? "no execution id: the event has no 'executionId' and there is no Lambda request id to use instead"
        : "an event without 'input' resumes an execution and must name it in 'executionId'",
    );
  }
  return {
    executionId,
    ...(typeof fields.workflow === 'string' ? { workflow: fields.workflow } : {}),
    ...(hasInput ? { input: { value: fields.input } } : {}),
    idSource,
  };
}

const CHILD_INVOKE_KEYS = new Set(['durableInvoke', 'executionId', 'workflow', 'input', 'parent', 'remainingMs']);

/** A parent's invoke of its child `<parent id>/<position>`: the one event that may start an id with a `/`. */
function parseChildInvoke(fields: Record<string, unknown>): ExecutionRequest {
  if (fields.durableInvoke !== CHILD_INVOKE_PROTOCOL) {
    throw new InvalidEventError(
      `a child-invoke event of protocol ${describe(fields.durableInvoke)}, which this version of @durable/core does ` +
        `not speak (it speaks ${CHILD_INVOKE_PROTOCOL})`,
    );
  }
  const unknownKeys = Object.keys(fields).filter((k) => !CHILD_INVOKE_KEYS.has(k));
  if (unknownKeys.length > 0) {
    throw new InvalidEventError(
      `unexpected key(s) ${unknownKeys.map((k) => `'${k}'`).join(', ')} in a child-invoke event`,
    );
  }
  if (typeof fields.workflow !== 'string' || fields.workflow === '') {
    throw new InvalidEventError(
      `'workflow' of a child-invoke event must be a non-empty string (got ${describe(fields.workflow)})`,
    );
  }
  const parent = (typeof fields.parent === 'object' && fields.parent !== null ? fields.parent : {}) as Record<
    string,
    unknown
  >;
  if (typeof parent.service !== 'string' || parent.service === '') {
    throw new InvalidEventError("'parent.service' of a child-invoke event must be a non-empty string");
  }
  const parentId = checkId(parent.executionId, "'parent.executionId' of a child-invoke event", 'names');
  const executionId = checkId(fields.executionId, "'executionId' of a child-invoke event", 'names');
  if (splitChildExecutionId(executionId)?.parentId !== parentId) {
    throw new InvalidEventError(
      `'executionId' of a child-invoke event must be '<parent.executionId>/<position>' (got ${describe(executionId)} ` +
        `for the parent ${describe(parentId)})`,
    );
  }
  if (typeof fields.input !== 'string') {
    throw new InvalidEventError(
      `'input' of a child-invoke event must be a serialized value (got ${describe(fields.input)})`,
    );
  }
  let value: unknown;
  try {
    value = deserialize(fields.input);
  } catch {
    throw new InvalidEventError("'input' of a child-invoke event is not a value serialized by @durable/core");
  }
  const remainingMs = fields.remainingMs;
  if (
    remainingMs !== undefined &&
    !(typeof remainingMs === 'number' && Number.isFinite(remainingMs) && remainingMs >= 0)
  ) {
    throw new InvalidEventError(
      `'remainingMs' of a child-invoke event must be a number >= 0 (got ${describe(remainingMs)})`,
    );
  }
  return {
    executionId,
    workflow: fields.workflow,
    input: { value },
    idSource: 'invoke',
    parent: { service: parent.service, executionId: parentId },
    ...(remainingMs === undefined ? {} : { callerRemainingMs: remainingMs }),
  };
}

function parseSqs(records: unknown[]): ExecutionRequest {
  if (records.length !== 1) {
    throw new InvalidEventError(
      `an SQS event must carry exactly one record (it has ${records.length}): set BatchSize to 1 on the event source mapping`,
    );
  }
  const record = records[0] as Record<string, unknown> | null;
  if (typeof record !== 'object' || record === null || typeof record.body !== 'string') {
    throw new InvalidEventError('the SQS record has no string body');
  }
  return {
    executionId: checkId(record.messageId, 'the SQS messageId', 'starts'),
    input: { value: parseJsonBody(record.body, 'the SQS message body') },
    idSource: 'sqs',
  };
}

function parseApi(fields: Record<string, unknown>): ExecutionRequest {
  const headers = (typeof fields.headers === 'object' && fields.headers !== null ? fields.headers : {}) as Record<
    string,
    unknown
  >;
  const idempotencyKey = Object.entries(headers).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
  const requestContext = fields.requestContext as Record<string, unknown>;
  const executionId =
    idempotencyKey !== undefined
      ? checkId(idempotencyKey, 'the Idempotency-Key header', 'starts')
      : checkId(requestContext.requestId, 'the API Gateway requestId', 'starts');
  let body = fields.body;
  if (typeof body === 'string' && fields.isBase64Encoded === true) body = Buffer.from(body, 'base64').toString('utf8');
  return {
    executionId,
    input: { value: typeof body === 'string' ? parseJsonBody(body, 'the request body') : (body ?? null) },
    idSource: 'api',
  };
}

function parseJsonBody(body: string, what: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidEventError(`${what} is not JSON`);
  }
}

function checkId(value: unknown, what: string, use: IdUse): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidEventError(`${what} must be a non-empty string (got ${describe(value)})`);
  }
  if (use === 'starts' && value.length > MAX_EXTERNAL_ID_LENGTH) {
    throw new InvalidEventError(
      `${what} is ${value.length} characters long, over the maximum of ${MAX_EXTERNAL_ID_LENGTH} for an event that ` +
        `can start an execution (ids up to ${MAX_EXECUTION_ID_LENGTH} are kept for child executions, ` +
        "'<parent id>/<position>')",
    );
  }
  if (value.length > MAX_EXECUTION_ID_LENGTH) {
    throw new InvalidEventError(
      `${what} is ${value.length} characters long, over the maximum of ${MAX_EXECUTION_ID_LENGTH}`,
    );
  }
  if (use === 'starts' && value.includes('/')) {
    throw new InvalidEventError(
      `${what} is ${describe(value)}, which contains '/': ids with '/' name child executions ('<parent id>/<position>'), ` +
        "which only the parent's ctx.invoke starts. Start executions with an id without '/'; an event without " +
        "'input' ({ executionId } alone) may name a child to resume it",
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(value) || !value.isWellFormed()) {
    throw new InvalidEventError(`${what} contains control characters or unpaired surrogates`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function keysOf(fields: Record<string, unknown>): string {
  const keys = Object.keys(fields);
  return keys.length === 0 ? 'no keys' : keys.slice(0, 8).join(', ');
}
