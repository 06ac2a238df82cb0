import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../packages/core/src/lambda-durable.js';
import {
  CallbackFailedError,
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  Workflow,
} from '../../packages/core/src/index.js';
import { encodeCallbackResult } from '../../packages/core/src/lambda-durable.js';
import { type LambdaCallbackApi, startLambdaCallbackApi } from '../../packages/core/src/testing/lambda-callback-api.js';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

/**
 * `durable-gen callbacks complete|fail --lambda-durable` as a real process: it sends through the real
 * `@aws-sdk/client-lambda` to a Lambda callback API on this machine (core's testing/lambda-callback-api.ts),
 * which records the request and hands its body to a workflow waiting under LocalDurableTestRunner here, so the
 * test sees what the command sent and what the workflow got.
 */

/** A few CLI processes, on a machine other tests load too. */
const SLOW = 90_000;

let api: LambdaCallbackApi;

beforeAll(async () => {
  assertCliBuilt();
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
  api = await startLambdaCallbackApi();
});
afterEach(cleanUp);
afterAll(async () => {
  // Nothing was set up when the build check failed first.
  if (api === undefined) return;
  await api.close();
  await LocalDurableTestRunner.teardownTestEnvironment();
});

@DurableService({ name: 'budgets' })
class Budgets {
  @Workflow() async approve(ctx: DurableContext) {
    try {
      return { decision: await ctx.waitForCallback('finance', () => {}) };
    } catch (error) {
      return { failed: error };
    }
  }
}

/** A run of `Budgets.approve` waiting for its callback, whose id the server serves. */
async function awaitingFinance() {
  const runner = new LocalDurableTestRunner({ handlerFunction: createHandler(Budgets, { backend: 'lambda-durable' }) });
  const running = runner.run({ payload: {} });
  const callback = runner.getOperation('finance');
  await callback.waitForData(WaitingOperationStatus.SUBMITTED);
  const callbackId = api.serve(callback);
  const outcome = async () => deserialize(JSON.stringify((await running).getResult()));
  return { callbackId, outcome, requests: () => api.received.filter((r) => r.callbackId === callbackId) };
}

describe('durable-gen callbacks --lambda-durable', () => {
  it(
    'completes a callback through the Lambda API, and refuses completing it again',
    async () => {
      const app = copyFixture();
      const { callbackId, outcome, requests } = await awaitingFinance();
      const complete = ['callbacks', 'complete', callbackId, '--lambda-durable', '--endpoint', api.endpoint];
      const result = { approved: true, by: 'ada' };
      const done = await runCli([...complete, '--result', JSON.stringify(result)], app);
      expect(done.stderr).toBe('');
      expect(done.stdout).toBe(
        `completed callback ${callbackId.slice(0, 24)}… through the Lambda API: Lambda resumes the execution\n`,
      );
      expect(done.code).toBe(0);
      expect(requests()).toMatchObject([
        {
          method: 'POST',
          action: 'succeed',
          body: encodeCallbackResult(result),
          contentType: 'application/octet-stream',
        },
      ]);
      expect(await outcome()).toEqual({ decision: result });

      const again = await runCli([...complete, '--result', 'false'], app);
      expect(again.stderr).toContain('InvalidCallbackTokenError (INVALID_CALLBACK_TOKEN)');
      expect(again.stderr).toContain('CallbackTimeoutException');
      expect(again.code).toBe(1);
    },
    SLOW,
  );

  it(
    'fails a callback at AWS_ENDPOINT_URL_LAMBDA: the workflow’s CallbackFailedError reports the message and code',
    async () => {
      const app = copyFixture();
      const { callbackId, outcome, requests } = await awaitingFinance();
      const failed = await runCli(
        ['callbacks', 'fail', callbackId, '--lambda-durable', '--error', 'over budget', '--error-code', 'BUDGET'],
        app,
        { AWS_ENDPOINT_URL_LAMBDA: api.endpoint },
      );
      expect(failed.stderr).toBe('');
      expect(failed.stdout).toContain('failed callback');
      expect(failed.code).toBe(0);
      const [request] = requests();
      expect(request).toMatchObject({ method: 'POST', action: 'fail', contentType: 'application/json' });
      // The service keeps type and message; the code travels in ErrorData, which core's encoder writes.
      expect(JSON.parse(request!.body)).toEqual({
        ErrorType: 'Error',
        ErrorMessage: 'over budget',
        ErrorData: expect.stringContaining('"BUDGET"'),
      });
      const { failed: error } = (await outcome()) as { failed: CallbackFailedError };
      expect(error).toBeInstanceOf(CallbackFailedError);
      expect(error.reported).toMatchObject({ name: 'Error', message: 'over budget', code: 'BUDGET' });
    },
    SLOW,
  );

  it(
    'refuses, exit 2 and sending nothing, what Lambda cannot do: find a callback by name, or write to a table',
    async () => {
      const app = copyFixture();
      const before = api.received.length;
      const byName = await runCli(
        ['callbacks', 'complete', '--execution', 'o-1', '--name', 'finance', '--lambda-durable', '--result', 'true'],
        app,
      );
      expect(byName.stderr).toContain('With --lambda-durable, pass the callback id as the token');
      expect(byName.code).toBe(2);
      const withTable = await runCli(
        ['callbacks', 'complete', 'QUJD', '--lambda-durable', '--table', 't', '--result', 'true'],
        app,
      );
      expect(withTable.stderr).toContain('--lambda-durable sends to the Lambda API and --table writes to a table');
      expect(withTable.code).toBe(2);
      expect(api.received).toHaveLength(before);
    },
    SLOW,
  );
});
