import { InvalidEventError } from '../errors.js';
import type { LambdaContext } from './lambda-context.js';

/** What an event asks for, whatever envelope it came in. */
export interface ExecutionRequest {
  executionId: string;
  /** Absent: the service's only workflow, or the recorded one when resuming. */
  workflow?: string;
  /** Absent for a resume event (an id alone): the execution must exist. */
  input?: { value: unknown };
  /** Where the id came from, for logs. */
  idSource: 'event' | 'eventbridge' | 'sqs' | 'api' | 'request-id';
}

/** Longest accepted execution id, in UTF-16 code units (child ids append `/<position>`). */
export const MAX_EXECUTION_ID_LENGTH = 512;

/**
 * Reads an event per DESIGN §7: `{ executionId?, workflow?, input }`, or an
 * EventBridge, single-record SQS or API Gateway event. The execution id is the
 * event's own, else the envelope's, else the Lambda request id (stable across
 * Lambda's retries of one asynchronous invocation); with none of these the
 * event is refused, since a random id would start a second execution on retry.
 */
export function parseEvent(event: unknown, lambdaContext: LambdaContext | undefined): ExecutionRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`the event is ${describe(event)}, not an object`);
  }
  const fields = event as Record<string, unknown>;
  if (typeof fields['detail-type'] === 'string' && 'detail' in fields && typeof fields.source === 'string') {
    return {
      executionId: checkId(fields.id, 'the EventBridge event id'),
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
    executionId = checkId(fields.executionId, "'executionId'");
  } else if (hasInput && lambdaContext?.awsRequestId !== undefined) {
    executionId = checkId(lambdaContext.awsRequestId, 'the Lambda request id');
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
    executionId: checkId(record.messageId, 'the SQS messageId'),
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
      ? checkId(idempotencyKey, 'the Idempotency-Key header')
      : checkId(requestContext.requestId, 'the API Gateway requestId');
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

function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidEventError(`${what} must be a non-empty string (got ${describe(value)})`);
  }
  if (value.length > MAX_EXECUTION_ID_LENGTH) {
    throw new InvalidEventError(
      `${what} is ${value.length} characters long, over the maximum of ${MAX_EXECUTION_ID_LENGTH}`,
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
