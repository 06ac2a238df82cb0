import {
  type LambdaClient,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackHeartbeatCommand,
  SendDurableExecutionCallbackSuccessCommand,
} from '@aws-sdk/client-lambda';
import { InvalidCallbackTokenError, PayloadTooLargeError } from '../errors.js';
import { encodeCallbackError, encodeCallbackResult } from './callback-payloads.js';
import { MAX_OPERATION_PAYLOAD_BYTES } from './payloads.js';

/**
 * Completing, failing and heartbeating a callback of a service on backend `lambda-durable` from outside: the
 * service keeps the callback, so the completer talks to the Lambda API (`SendDurableExecutionCallback*`) with the
 * callback id `ctx.waitForCallback` handed its submitter, and Lambda resumes the execution itself. The client is
 * the caller's, as `DynamoDbStore` takes its client: its region, credentials and endpoint say where to send.
 */

/** A callback id as the Lambda API reference defines it: base64, 1 to 1024 characters. */
const CALLBACK_ID_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_CALLBACK_ID_CHARS = 1024;

/** How much of a callback id a message quotes: they run to a kilobyte, and the start tells them apart. */
const QUOTED_ID_CHARS = 24;

/**
 * Completes a callback of a service on backend `lambda-durable`: `ctx.waitForCallback` resolves with `result`
 * (Date, BigInt, Map, Set, … intact, encoded by {@link encodeCallbackResult}) once Lambda resumes the execution.
 *
 * Refused before anything is sent: an id that is not a Lambda callback id (a token of a service on backend
 * `dynamodb` is completed with `completeCallback(store, token, result)`), with `InvalidCallbackTokenError`; a
 * result over 256 KB encoded, with `PayloadTooLargeError`. Refused by Lambda, as `InvalidCallbackTokenError`: a
 * callback that is closed (completed, failed or timed out), one Lambda does not know, a malformed id. A callback
 * is settled once: a second completion, also a retry of one whose answer was lost, is refused as closed. Other
 * errors (throttling, access denied, the network) are the client's own, thrown as they are.
 *
 * @example
 * ```ts
 * import { LambdaClient } from '@aws-sdk/client-lambda';
 * import { completeDurableCallback } from '@durable/core/lambda-durable';
 *
 * await completeDurableCallback(new LambdaClient({}), callbackId, { approved: true, at: new Date() });
 * ```
 */
export async function completeDurableCallback(
  client: LambdaClient,
  callbackId: string,
  result: unknown,
): Promise<void> {
  requireCallbackId(callbackId);
  const text = encodeCallbackResult(result);
  await sendFor(callbackId, () =>
    client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: text })),
  );
}

/**
 * Fails a callback of a service on backend `lambda-durable`: `ctx.waitForCallback` throws a `CallbackFailedError`
 * whose `reported` holds `error`'s name, message, code and own fields (encoded by {@link encodeCallbackError}).
 * Refusals as for {@link completeDurableCallback}; an error over the service's 1 MB for its fields is refused
 * with `PayloadTooLargeError` before anything is sent.
 */
export async function failDurableCallback(client: LambdaClient, callbackId: string, error: unknown): Promise<void> {
  requireCallbackId(callbackId);
  const encoded = encodeCallbackError(error);
  const size = Buffer.byteLength(JSON.stringify(encoded));
  if (size > MAX_OPERATION_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError('the error of a callback', size, MAX_OPERATION_PAYLOAD_BYTES);
  }
  await sendFor(callbackId, () =>
    client.send(new SendDurableExecutionCallbackFailureCommand({ CallbackId: callbackId, Error: encoded })),
  );
}

/**
 * Tells Lambda that the completer of a callback is still at work, which restarts the callback's heartbeat timeout
 * (the service's own option of a callback; `ctx.waitForCallback` sets none, so for its callbacks a heartbeat
 * extends nothing). Refusals as for {@link completeDurableCallback}: a closed callback is refused.
 */
export async function heartbeatDurableCallback(client: LambdaClient, callbackId: string): Promise<void> {
  requireCallbackId(callbackId);
  await sendFor(callbackId, () =>
    client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId })),
  );
}

function requireCallbackId(callbackId: string): void {
  if (
    typeof callbackId === 'string' &&
    callbackId.length <= MAX_CALLBACK_ID_CHARS &&
    CALLBACK_ID_PATTERN.test(callbackId)
  ) {
    return;
  }
  // Caught here rather than by Lambda: a dynamodb token sent by mistake never leaves the process.
  throw new InvalidCallbackTokenError(
    `${quoted(callbackId)} is not a callback id of Lambda durable functions (those are base64, 1 to ` +
      `${MAX_CALLBACK_ID_CHARS} characters); a token of a service on backend dynamodb is completed with ` +
      'completeCallback(store, token, result) instead',
  );
}

/** Sends one request about `callbackId`, with Lambda's refusals of the id as this package's error. */
async function sendFor(callbackId: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (error) {
    throw refusalOf(error, callbackId) ?? error;
  }
}

/** The error for Lambda's refusal of a callback id, or undefined when `error` is not one. */
function refusalOf(error: unknown, callbackId: string): InvalidCallbackTokenError | undefined {
  // By name, not class: the client may come from another copy of @aws-sdk/client-lambda than this module's.
  const { name, message } = error as { name?: unknown; message?: unknown };
  const said = `${String(name)}: ${typeof message === 'string' ? message : ''}`;
  const id = quoted(callbackId);
  switch (name) {
    case 'CallbackTimeoutException':
      return new InvalidCallbackTokenError(
        `Lambda no longer accepts callback id ${id} (${said}): its callback was completed or failed already, or ` +
          'timed out, and a callback is settled once. When an earlier attempt of this same call may have landed ' +
          '(a lost answer, a redelivered message), it is done',
      );
    case 'ResourceNotFoundException':
      return new InvalidCallbackTokenError(
        `Lambda knows no callback with id ${id} (${said}); is the client for the region and account of the ` +
          'function that waits for it?',
      );
    case 'InvalidParameterValueException':
      return new InvalidCallbackTokenError(`Lambda refused ${id} as a callback id (${said})`);
    default:
      return undefined;
  }
}

function quoted(callbackId: unknown): string {
  if (typeof callbackId !== 'string') return String(callbackId);
  return callbackId.length > QUOTED_ID_CHARS ? `'${callbackId.slice(0, QUOTED_ID_CHARS)}…'` : `'${callbackId}'`;
}
