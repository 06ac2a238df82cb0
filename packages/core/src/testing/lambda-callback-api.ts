import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorObject } from '@aws/durable-execution-sdk-js';
import type { DurableOperation } from '@aws/durable-execution-sdk-js-testing';

/**
 * The Lambda API's three callback operations (`SendDurableExecutionCallbackSuccess`, `…Failure`, `…Heartbeat`)
 * over HTTP, in front of `LocalDurableTestRunner`, whose checkpoint server has no HTTP endpoint of its own: a real
 * `@aws-sdk/client-lambda` (or a CLI process) sends to it as to Lambda, and what it sent reaches the workflow
 * running under the runner. It records every request as it arrived, and answers the way the Lambda API reference
 * says Lambda answers: 200 with an empty body, or a status with `x-amzn-ErrorType` and a `{ Type, Message }` body.
 *
 * What it forwards is the body exactly as received: a success's bytes as the result text
 * (`operation.sendCallbackSuccess`), a failure's JSON as its `ErrorObject` (`operation.sendCallbackFailure`). What
 * the runner does not model, it answers itself, as Lambda does: a second outcome for a callback, or a heartbeat
 * after one, is `CallbackTimeoutException` (the runner would overwrite the first); an id it does not serve is
 * `ResourceNotFoundException`; a heartbeat of an open callback is accepted without reaching the runner, which
 * refuses heartbeats of callbacks without a heartbeat timeout (`ctx.waitForCallback` sets none).
 */

/** One request as the server received it. */
export interface ReceivedCallbackRequest {
  method: string;
  /** The path exactly as sent, percent-encoding included. */
  rawPath: string;
  /** `succeed`, `fail` or `heartbeat`; undefined for a path that is none of the three. */
  action: string | undefined;
  /** The callback id, decoded from the path. */
  callbackId: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** A running {@link startLambdaCallbackApi} server. */
export interface LambdaCallbackApi {
  /** Its URL, for a client's `endpoint` or `--endpoint`. */
  readonly endpoint: string;
  /** Every request so far, oldest first. */
  readonly received: ReceivedCallbackRequest[];
  /** Routes requests for the callback id of `operation` (a runner's callback, submitted) to it; returns the id. */
  serve(operation: DurableOperation): string;
  /** Answers every request for `callbackId` with this refusal of Lambda's instead. */
  refuse(callbackId: string, refusal: { status: number; type: string; message: string }): void;
  close(): Promise<void>;
}

const CALLBACK_PATH = /^\/2025-12-01\/durable-execution-callbacks\/([^/]+)\/([^/]+)$/;

interface Served {
  operation: DurableOperation;
  isClosed: boolean;
}

/** Starts a {@link LambdaCallbackApi} on a free port of 127.0.0.1. */
export async function startLambdaCallbackApi(): Promise<LambdaCallbackApi> {
  const received: ReceivedCallbackRequest[] = [];
  const served = new Map<string, Served>();
  const refusals = new Map<string, { status: number; type: string; message: string }>();

  const server: Server = createServer((request, response) => {
    void answer(request, response).catch((error: unknown) => {
      reply(response, 500, { type: 'ServiceException', message: `the runner refused: ${String(error)}` });
    });
  });

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const rawPath = request.url ?? '';
    const match = CALLBACK_PATH.exec(rawPath);
    const callbackId = match === null ? undefined : decodeURIComponent(match[1]!);
    const action = match?.[2];
    received.push({
      method: request.method ?? '',
      rawPath,
      action,
      callbackId,
      contentType: request.headers['content-type'],
      body,
    });
    if (request.method !== 'POST' || callbackId === undefined || !['succeed', 'fail', 'heartbeat'].includes(action!)) {
      reply(response, 404, {
        type: 'UnknownOperationException',
        message: `no operation at ${request.method} ${rawPath}`,
      });
      return;
    }
    const refusal = refusals.get(callbackId);
    if (refusal !== undefined) return reply(response, refusal.status, refusal);
    const callback = served.get(callbackId);
    if (callback === undefined) {
      return reply(response, 404, { type: 'ResourceNotFoundException', message: 'Callback not found' });
    }
    if (callback.isClosed) {
      return reply(response, 400, {
        type: 'CallbackTimeoutException',
        message:
          'The callback ID token has either expired or the callback associated with the token has already been closed.',
      });
    }
    if (action === 'succeed') {
      callback.isClosed = true;
      await callback.operation.sendCallbackSuccess(body === '' ? undefined : body);
    } else if (action === 'fail') {
      callback.isClosed = true;
      await callback.operation.sendCallbackFailure(body === '' ? undefined : (JSON.parse(body) as ErrorObject));
    }
    reply(response, 200);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    serve: (operation) => {
      const callbackId = operation.getCallbackDetails()?.callbackId;
      if (callbackId === undefined) throw new Error('serve() takes a callback operation, after it was submitted');
      served.set(callbackId, { operation, isClosed: false });
      return callbackId;
    },
    refuse: (callbackId, refusal) => {
      refusals.set(callbackId, refusal);
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, status: number, error?: { type: string; message: string }): void {
  if (error === undefined) {
    response.writeHead(status);
    response.end();
    return;
  }
  // Both spellings of the message: some of the SDK's exception shapes read `Message`, others `message`.
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': error.type });
  response.end(JSON.stringify({ Type: 'User', Message: error.message, message: error.message }));
}
