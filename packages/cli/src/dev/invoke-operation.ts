import type { IncomingMessage, ServerResponse } from 'node:http';
import { SERVICE_TAG } from '../deployed-service.js';
import { isPending } from './function-record.js';
import type { FunctionRegistry, ResolvedVersion } from './function-registry.js';
import { readBody } from './http-io.js';
import { type ArnScope, functionArn, parseFunctionRef, requestedQualifier } from './lambda-arn.js';
import { conflict, invalidParameter, invalidRequestContent, requestTooLarge } from './lambda-error.js';
import type { RunnerPool } from './runner-pool.js';
import type { AsyncInvocation } from './runtime/event-queue.js';
import type { RunOutcome } from './runtime/function-runner.js';

/** Lambda's limit on a synchronous invocation's request, and on its response. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's limit on an asynchronous invocation's payload: 1 MB since 2025 (it was 256 KB before). */
export const MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024;
/** `LogType: Tail` returns the end of the invocation's log, this much of it. */
const TAIL_LOG_BYTES = 4 * 1024;

/** What Invoke works with. */
export interface InvokePlane {
  registry: FunctionRegistry;
  scope: ArnScope;
  pool: RunnerPool;
  /** Accepts an asynchronous invocation; resolves once it is kept (then it is answered 202). */
  enqueue(invocation: AsyncInvocation): Promise<void>;
}

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/**
 * Invoke: resolves the qualifier (in the name, the ARN or `Qualifier`) to a
 * version and runs it. RequestResponse answers the function's payload with
 * `X-Amz-Executed-Version`, `X-Amz-Function-Error` and, for `LogType: Tail`,
 * `X-Amz-Log-Result`; Event answers 202 and queues it; DryRun only checks.
 * A durable service is never run as `$LATEST`: that pins no code.
 */
export async function invoke(
  plane: InvokePlane,
  nameInPath: string,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<void> {
  const type = invocationType(request.headers['x-amz-invocation-type']);
  const limit = type === 'Event' ? MAX_EVENT_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  const body = await readBody(request, limit);
  if (body.tooLarge) {
    throw requestTooLarge(
      `Request must be smaller than ${limit} bytes for ${type === 'Event' ? 'an asynchronous' : 'a synchronous'} ` +
        'invocation.',
    );
  }
  const payload = body.bytes.length === 0 ? Buffer.from('{}') : body.bytes;
  requireJson(payload);
  const ref = parseFunctionRef(nameInPath, plane.scope);
  const qualifier = requestedQualifier(ref, query.get('Qualifier'));
  const { record, version } = resolveRunnable(plane, ref.name, qualifier);
  const invokedFunctionArn = functionArn(plane.scope, record.name, qualifier);
  if (type === 'DryRun') {
    response.writeHead(204, { 'content-length': 0 });
    response.end();
    return;
  }
  if (type === 'Event') {
    await plane.enqueue({
      functionName: record.name,
      qualifier: qualifier ?? '$LATEST',
      requestId,
      payload,
      invokedFunctionArn,
    });
    response.writeHead(202, { 'content-length': 0 });
    response.end();
    return;
  }
  const run = await plane.pool.run(record, version, { requestId, invokedFunctionArn, payload });
  const outcome = limitResponse(run, requestId);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': outcome.payload.length,
    'x-amz-executed-version': version.version,
  };
  if (outcome.functionError !== undefined) headers['x-amz-function-error'] = outcome.functionError;
  if (request.headers['x-amz-log-type'] === 'Tail') headers['x-amz-log-result'] = logTail(outcome.log);
  response.writeHead(200, headers);
  response.end(outcome.payload);
}

function invocationType(header: string | string[] | undefined): InvocationType {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return 'RequestResponse';
  if (value === 'RequestResponse' || value === 'Event' || value === 'DryRun') return value;
  throw invalidParameter(`InvocationType '${value}' is not one of RequestResponse, Event, DryRun.`);
}

function requireJson(payload: Buffer): void {
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw invalidRequestContent(`Could not parse request body into json: ${(error as Error).message}`);
  }
}

/**
 * The version `qualifier` names, refused when Lambda would not run it: a
 * function still being created, a durable service's `$LATEST`. The event
 * queue resolves each attempt of an asynchronous invocation the same way.
 */
export function resolveRunnable(
  plane: InvokePlane,
  functionName: string,
  qualifier: string | undefined,
): ResolvedVersion {
  const resolved = plane.registry.resolve(functionName, qualifier);
  const { record, version, alias } = resolved;
  const service = record.tags[SERVICE_TAG];
  if (service !== undefined && version.version === '$LATEST') {
    const named =
      qualifier === undefined ? 'unqualified' : alias === undefined ? 'as $LATEST' : `as ${qualifier} (-> $LATEST)`;
    throw invalidParameter(
      `${functionArn(plane.scope, record.name)} is the durable service '${service}' (tag ${SERVICE_TAG}) and ` +
        `cannot be invoked ${named}: $LATEST pins no code for its executions to replay on. Invoke a published ` +
        `version or an alias instead (${record.name}:${record.aliases[0]?.name ?? 'live'}, or publish one with ` +
        'durable-gen deploy).',
    );
  }
  if (version.version === '$LATEST' && version.pendingKind === 'create' && isPending(version)) {
    throw conflict(
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
    );
  }
  return resolved;
}

/** A response over Lambda's limit becomes the function error Lambda answers instead. */
function limitResponse(outcome: RunOutcome, requestId: string): RunOutcome {
  if (outcome.payload.length <= MAX_SYNC_PAYLOAD_BYTES) return outcome;
  const error = {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage:
      `Response payload size (${outcome.payload.length} bytes) exceeded maximum allowed payload size ` +
      `(${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
    requestId,
  };
  return { ...outcome, payload: Buffer.from(JSON.stringify(error)), functionError: 'Unhandled' };
}

/** Base64 of the log's last 4 KB, as Lambda returns it. */
function logTail(log: string): string {
  const bytes = Buffer.from(log);
  return bytes.subarray(Math.max(0, bytes.length - TAIL_LOG_BYTES)).toString('base64');
}
