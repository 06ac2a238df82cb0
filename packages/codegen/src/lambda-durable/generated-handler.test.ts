/**
 * The handlers generate writes for the lambda-durable fixture, run as they are under the SDK's own
 * LocalDurableTestRunner (real timers): `payments` reserves, waits for its approval callback, sleeps, captures and
 * invokes `receipts` through the generated stub, which the runner serves under its qualified ARN (its functions
 * run in account 123456789012, us-east-2).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalDurableTestRunner, WaitingOperationStatus } from '@aws/durable-execution-sdk-js-testing';
import { deserialize } from '@durable/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, edit, removeFixtureCopies } from '../__fixtures__/fixture-app.js';
import { generate } from '../generate.js';

const RECEIPTS_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:receipts:4';
const PAYMENTS = 'src/payment-service.ts';
type Handler = ConstructorParameters<typeof LocalDurableTestRunner>[0]['handlerFunction'];

let root: string;
beforeAll(async () => {
  root = copyFixture('lambda-durable');
  // Offline and quick: the approval request is recorded instead of sent, and the settling wait is 1 s.
  edit(
    root,
    PAYMENTS,
    "  await fetch('https://approvals.example.com/requests', {\n    method: 'POST',\n    body: JSON.stringify({ orderId, token }),\n  });",
    '  approvalRequests.push({ orderId, token });',
  );
  edit(
    root,
    PAYMENTS,
    'export interface Order {',
    'export const approvalRequests: { orderId: string; token: string }[] = [];\n\nexport interface Order {',
  );
  edit(root, PAYMENTS, "ctx.sleep('settle', { seconds: 30 })", "ctx.sleep('settle', { seconds: 1 })");
  const { diagnostics } = generate({ root, paths: ['src/**/*.ts'], account: '123456789012', region: 'us-east-2' });
  expect(diagnostics).toEqual([]);
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
});
afterAll(async () => {
  await LocalDurableTestRunner.teardownTestEnvironment();
  removeFixtureCopies();
});

async function load<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(root, file)).href)) as T;
}

describe('the generated lambda-durable handlers', () => {
  it('run the workflow on the SDK: callback, wait and chained invoke through the stub', async () => {
    const { handler: payments } = await load<{ handler: Handler }>('generated/handlers/payments.ts');
    const { handler: receipts } = await load<{ handler: Handler }>('generated/handlers/receipts.ts');
    const { approvalRequests } = await load<{ approvalRequests: { orderId: string }[] }>(PAYMENTS);
    const runner = new LocalDurableTestRunner({ handlerFunction: payments });
    runner.registerDurableFunction(RECEIPTS_ARN, receipts);
    // What deploy sets on the caller: the stub reads the callee's qualified ARN from it.
    process.env.DURABLE_TARGET_RECEIPTS_ARN = RECEIPTS_ARN;
    try {
      const running = runner.run({ payload: { input: { id: 'o-7', cents: 1250 } } });
      const approval = runner.getOperation('manager-approval');
      await approval.waitForData(WaitingOperationStatus.SUBMITTED);
      await approval.sendCallbackSuccess(JSON.stringify({ approved: true }));
      const result = await running;

      expect(result.getStatus()).toBe('SUCCEEDED');
      expect(deserialize(JSON.stringify(result.getResult()))).toEqual({
        chargeId: 'charge-o-7-1250',
        receipt: expect.stringMatching(/^R-o-7-\d+$/),
      });
      expect(result.getOperations().map((op) => `${op.getType()} ${op.getName()}`)).toEqual(
        expect.arrayContaining(['STEP reserve', 'WAIT settle', 'STEP capture', 'CHAINED_INVOKE receipts.issue']),
      );
      expect(approvalRequests.map((request) => request.orderId)).toEqual(['o-7']);
    } finally {
      delete process.env.DURABLE_TARGET_RECEIPTS_ARN;
    }
  }, 60_000);
});
