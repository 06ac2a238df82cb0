import { LocalDurableTestRunner, type TestResult } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  InvalidTargetArnError,
  type InvokeTarget,
  NonRetryableError,
  Step,
  Workflow,
} from '../index.js';

/**
 * `ctx.invoke` on lambda-durable: the SDK's chained invoke, the child a second durable function registered with
 * the test runner under its qualified ARN (the runner's functions run in account 123456789012, us-east-2). Mirrors
 * the dynamodb engine's invoke tests: values and errors cross with their types, bad ARNs are refused.
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const NOTIFIER_ARN = 'arn:aws:lambda:us-east-2:123456789012:function:notifier:3';

/** What the child's workflow got, in order. */
const received: unknown[] = [];
beforeEach(() => {
  received.length = 0;
});

@DurableService({ name: 'notifier' })
class Notifier {
  @Workflow() async notify(_ctx: DurableContext, message: { to: string; due: Date; fail?: boolean }) {
    received.push(message);
    return this.send(message.to, message.fail === true);
  }
  @Step() async send(to: string, fail: boolean) {
    if (fail) throw Object.assign(new NonRetryableError(`no route to ${to}`), { to });
    return { sentTo: to, at: new Date(0), id: 7n };
  }
}

const due = new Date('2026-05-06T07:08:09.000Z');

/** A parent whose workflow invokes `target` with its input and a Date, answering what came back or was thrown. */
function parentOf(target: InvokeTarget) {
  @DurableService({ name: 'reviews' })
  class Reviews {
    @Workflow() async review(ctx: DurableContext, message: { to: string; fail?: boolean }) {
      try {
        return { answer: await ctx.invoke(target, { ...message, due }) };
      } catch (error) {
        return { failed: error };
      }
    }
  }
  return Reviews;
}

async function runParent(target: InvokeTarget, message: unknown): Promise<TestResult> {
  const runner = new LocalDurableTestRunner({
    handlerFunction: createHandler(parentOf(target), { backend: 'lambda-durable' }),
  });
  runner.registerDurableFunction(NOTIFIER_ARN, createHandler(Notifier, { backend: 'lambda-durable' }));
  return runner.run({ payload: { input: message } });
}

function outputOf(result: TestResult): unknown {
  return deserialize(JSON.stringify(result.getResult()));
}

const target: InvokeTarget = { service: 'notifier', workflow: 'notify', functionArn: NOTIFIER_ARN };

describe('ctx.invoke on lambda-durable', () => {
  it('runs the target workflow as a chained durable execution: input and output keep their types', async () => {
    const result = await runParent(target, { to: 'ada' });
    expect(received).toEqual([{ to: 'ada', due }]);
    expect((received[0] as { due: Date }).due).toBeInstanceOf(Date);
    expect(outputOf(result)).toEqual({ answer: { sentTo: 'ada', at: new Date(0), id: 7n } });
    const invoke = result.getOperations().find((op) => op.getName() === 'notifier.notify');
    expect(invoke?.getType()).toBe('CHAINED_INVOKE');
  });

  it('throws the error the child failed with in the parent, class and own fields intact', async () => {
    const result = await runParent(target, { to: 'bob', fail: true });
    const { failed } = outputOf(result) as { failed: NonRetryableError & { to: string } };
    expect(failed).toBeInstanceOf(NonRetryableError);
    expect(failed).toMatchObject({ code: 'NON_RETRYABLE', message: 'no route to bob', to: 'bob' });
  });

  it.each([
    ['unqualified', 'arn:aws:lambda:us-east-2:123456789012:function:notifier', 'is unqualified'],
    ['$LATEST', 'arn:aws:lambda:us-east-2:123456789012:function:notifier:$LATEST', 'names $LATEST'],
    ['in another account', 'arn:aws:lambda:us-east-2:999999999999:function:notifier:3', 'in account 999999999999'],
    ['in another region', 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:3', 'in region eu-west-1'],
  ])('refuses an ARN %s with InvalidTargetArnError, invoking and recording nothing', async (_what, arn, message) => {
    const result = await runParent({ ...target, functionArn: arn }, { to: 'cy' });
    const { failed } = outputOf(result) as { failed: InvalidTargetArnError };
    expect(failed).toBeInstanceOf(InvalidTargetArnError);
    expect(failed.message).toContain(message);
    expect(received).toEqual([]);
    expect(result.getOperations()).toEqual([]);
  });
});
