import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  CallbackFailedError,
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  InvalidCallbackTokenError,
  PayloadTooLargeError,
  Workflow,
} from '../index.js';
import {
  completeDurableCallback,
  encodeCallbackError,
  encodeCallbackResult,
  failDurableCallback,
  heartbeatDurableCallback,
  MAX_CALLBACK_RESULT_BYTES,
} from '../lambda-durable.js';
import { rejectionOf } from '../testing/fixtures.js';
import { type LambdaCallbackApi, startLambdaCallbackApi } from '../testing/lambda-callback-api.js';

/**
 * Completing callbacks of lambda-durable from outside, with the real `@aws-sdk/client-lambda` over HTTP: the
 * server (testing/lambda-callback-api.ts) records each request as Lambda would receive it and hands its body to
 * the workflow waiting under LocalDurableTestRunner, so a test sees both what went over the wire and what the
 * workflow made of it.
 */

let api: LambdaCallbackApi;
let client: LambdaClient;

beforeAll(async () => {
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
  api = await startLambdaCallbackApi();
  client = new LambdaClient({
    region: 'eu-west-1',
    endpoint: api.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await api?.close();
  await LocalDurableTestRunner.teardownTestEnvironment();
});

@DurableService({ name: 'sign-offs' })
class SignOffs {
  @Workflow() async approve(ctx: DurableContext) {
    try {
      return { decision: await ctx.waitForCallback('sign-off', () => {}) };
    } catch (error) {
      return { failed: error };
    }
  }
}

/** A run of `SignOffs.approve` waiting for its callback, whose id the server serves. */
async function awaitingSignOff() {
  const runner = new LocalDurableTestRunner({
    handlerFunction: createHandler(SignOffs, { backend: 'lambda-durable' }),
  });
  const running = runner.run({ payload: {} });
  const callback = runner.getOperation('sign-off');
  await callback.waitForData(WaitingOperationStatus.SUBMITTED);
  const callbackId = api.serve(callback);
  const outcome = async () => deserialize(JSON.stringify((await running).getResult()));
  return { callbackId, outcome, requests: () => api.received.filter((r) => r.callbackId === callbackId) };
}

const CALLBACKS_PATH = '/2025-12-01/durable-execution-callbacks';

describe('completeDurableCallback', () => {
  it('sends SendDurableExecutionCallbackSuccess with the encoded result, which the workflow gets, values intact', async () => {
    const { callbackId, outcome, requests } = await awaitingSignOff();
    const decision = { by: 'ada', at: new Date('2026-01-02T03:04:05.000Z'), budget: 12n, teams: new Set(['a']) };
    await completeDurableCallback(client, callbackId, decision);
    expect(requests()).toEqual([
      {
        method: 'POST',
        rawPath: `${CALLBACKS_PATH}/${encodeURIComponent(callbackId)}/succeed`,
        action: 'succeed',
        callbackId,
        contentType: 'application/octet-stream',
        body: encodeCallbackResult(decision),
      },
    ]);
    expect(await outcome()).toEqual({ decision });
  });

  it('refuses a second completion as InvalidCallbackTokenError: Lambda answers CallbackTimeoutException', async () => {
    const { callbackId, outcome } = await awaitingSignOff();
    await completeDurableCallback(client, callbackId, 'yes');
    expect(await outcome()).toEqual({ decision: 'yes' });
    const refused = await rejectionOf(completeDurableCallback(client, callbackId, 'no'));
    expect(refused).toBeInstanceOf(InvalidCallbackTokenError);
    expect((refused as Error).message).toMatch(/Lambda no longer accepts callback id '.+' \(CallbackTimeoutException/);
    expect((refused as Error).message).toContain('completed or failed already, or timed out');
  });

  it('refuses a result over 256 KB with PayloadTooLargeError, sending nothing', async () => {
    const before = api.received.length;
    const refused = await rejectionOf(completeDurableCallback(client, 'QUJD', 'x'.repeat(MAX_CALLBACK_RESULT_BYTES)));
    expect(refused).toBeInstanceOf(PayloadTooLargeError);
    expect(api.received).toHaveLength(before);
  });

  it('refuses what is not a Lambda callback id (a dynamodb token) with InvalidCallbackTokenError, sending nothing', async () => {
    const before = api.received.length;
    const token = 'eyJzIjoicmV2-aWV3_cyJ9';
    const refused = await rejectionOf(completeDurableCallback(client, token, true));
    expect(refused).toBeInstanceOf(InvalidCallbackTokenError);
    expect((refused as Error).message).toContain(`'${token}' is not a callback id of Lambda durable functions`);
    expect((refused as Error).message).toContain('completeCallback(store, token, result)');
    expect(await rejectionOf(completeDurableCallback(client, 'A'.repeat(1025), true))).toBeInstanceOf(
      InvalidCallbackTokenError,
    );
    expect(api.received).toHaveLength(before);
  });

  it('says to check region and account when Lambda knows no such callback (ResourceNotFoundException)', async () => {
    const refused = await rejectionOf(completeDurableCallback(client, 'bm8+c3Vj/aA==', true));
    expect(refused).toBeInstanceOf(InvalidCallbackTokenError);
    expect((refused as Error).message).toContain('Lambda knows no callback with id');
    expect((refused as Error).message).toContain('region and account');
    // The id's + / = travel percent-encoded in the path, and arrive as they were.
    expect(api.received.at(-1)).toMatchObject({
      rawPath: `${CALLBACKS_PATH}/bm8%2Bc3Vj%2FaA%3D%3D/succeed`,
      callbackId: 'bm8+c3Vj/aA==',
    });
  });

  it('throws other refusals of Lambda as the client threw them', async () => {
    api.refuse('dGhyb3R0bGVk', { status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' });
    const refused = await rejectionOf(completeDurableCallback(client, 'dGhyb3R0bGVk', true));
    expect(refused).toMatchObject({ name: 'TooManyRequestsException', message: 'Rate exceeded' });
    expect(refused).not.toBeInstanceOf(InvalidCallbackTokenError);
  });
});

describe('failDurableCallback', () => {
  it('sends SendDurableExecutionCallbackFailure with the encoded error: the workflow’s CallbackFailedError reports it', async () => {
    const { callbackId, outcome, requests } = await awaitingSignOff();
    const rejection = Object.assign(new Error('not this quarter'), { name: 'Rejected', code: 'BUDGET', limit: 10 });
    await failDurableCallback(client, callbackId, rejection);
    const [request, ...others] = requests();
    expect(others).toEqual([]);
    expect(request).toMatchObject({
      method: 'POST',
      rawPath: `${CALLBACKS_PATH}/${encodeURIComponent(callbackId)}/fail`,
      contentType: 'application/json',
    });
    expect(JSON.parse(request!.body)).toEqual(encodeCallbackError(rejection));
    const { failed } = (await outcome()) as { failed: CallbackFailedError };
    expect(failed).toBeInstanceOf(CallbackFailedError);
    expect(failed).toMatchObject({
      callbackName: 'sign-off',
      reported: { name: 'Rejected', message: 'not this quarter', code: 'BUDGET', fields: { limit: 10 } },
    });
    expect(await rejectionOf(failDurableCallback(client, callbackId, rejection))).toBeInstanceOf(
      InvalidCallbackTokenError,
    );
  });
});

describe('heartbeatDurableCallback', () => {
  it('sends SendDurableExecutionCallbackHeartbeat while the callback is open, and is refused once it is closed', async () => {
    const { callbackId, outcome, requests } = await awaitingSignOff();
    await heartbeatDurableCallback(client, callbackId);
    expect(requests()).toEqual([
      {
        method: 'POST',
        rawPath: `${CALLBACKS_PATH}/${encodeURIComponent(callbackId)}/heartbeat`,
        action: 'heartbeat',
        callbackId,
        contentType: undefined,
        body: '',
      },
    ]);
    await completeDurableCallback(client, callbackId, 'done');
    expect(await outcome()).toEqual({ decision: 'done' });
    const refused = await rejectionOf(heartbeatDurableCallback(client, callbackId));
    expect(refused).toBeInstanceOf(InvalidCallbackTokenError);
    expect((refused as Error).message).toContain('CallbackTimeoutException');
  });
});
