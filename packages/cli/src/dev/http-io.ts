import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidRequestContent, LambdaApiError } from './lambda-error.js';

/** A request body, or how far over its limit it went. */
export type ReadBody = { bytes: Buffer; tooLarge: false } | { tooLarge: true };

/** Past this, a body is not drained to the end: the connection is dropped instead of reading on for nothing. */
const DRAIN_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Reads a request body of at most `limit` bytes. A larger one is read to its
 * end but not kept, so that the error can be answered on a connection the
 * client is still listening on (answering mid-upload makes clients report a
 * broken pipe instead of the error).
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > DRAIN_LIMIT_BYTES) {
      request.destroy();
      break;
    }
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? { tooLarge: true } : { bytes: Buffer.concat(chunks), tooLarge: false };
}

/** The JSON object of a control-plane request; an empty body is `{}`, as for the operations that take none. */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  if (bytes.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalidRequestContent(`Could not parse request body into json: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequestContent('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** Answers with a JSON body. */
export function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
}

/** Answers with no body (204 and the like). */
export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0 });
  response.end();
}

/** Answers with an error as AWS shapes it; anything not a {@link LambdaApiError} is a 500 ServiceException. */
export function sendError(response: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof LambdaApiError
      ? error
      : new LambdaApiError(500, 'ServiceException', `durable-gen dev failed: ${(error as Error)?.message ?? error}`);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify(apiError.body()));
  response.writeHead(apiError.status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-amzn-errortype': apiError.name,
  });
  response.end(body);
}

/** Gives a response its request id, which the SDK reports as `$metadata.requestId`. */
export function assignRequestId(response: ServerResponse): string {
  const requestId = randomUUID();
  response.setHeader('x-amzn-requestid', requestId);
  return requestId;
}
