import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { InvalidTargetArnError } from '../errors.js';
import type { InvokeRequest } from './invoker.js';
import { LambdaInvoker } from './lambda-invoker.js';

const caller = 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:3';

/** A request from `callerArn` (null: from a caller whose ARN is not known). */
function request(target: InvokeRequest['target'], callerArn: string | null = caller): InvokeRequest {
  return {
    target,
    executionId: 'parent/4',
    input: {},
    parent: { service: 'reviews', executionId: 'parent' },
    ...(callerArn === null ? {} : { callerArn }),
  };
}

// Only the ARN checks, which run before anything is sent: no request leaves this test.
const client = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

describe('LambdaInvoker.targetArn', () => {
  it('takes the qualified ARN from the environment variable set at deploy, before the manifest one', () => {
    const invoker = new LambdaInvoker({
      client,
      env: { DURABLE_TARGET_NOTIFIER_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:7' },
    });
    const arn = invoker.targetArn(
      request({
        service: 'notifier',
        workflow: 'notify',
        arnEnv: 'DURABLE_TARGET_NOTIFIER_ARN',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:5',
      }),
    );
    expect(arn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:notifier:7');
    const fromManifest = new LambdaInvoker({ client, env: {} }).targetArn(
      request({
        service: 'notifier',
        workflow: 'notify',
        arnEnv: 'DURABLE_TARGET_NOTIFIER_ARN',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:live',
      }),
    );
    expect(fromManifest).toBe('arn:aws:lambda:eu-west-1:123456789012:function:notifier:live');
  });

  it.each([
    ['an unqualified ARN', 'arn:aws:lambda:eu-west-1:123456789012:function:notifier', /unqualified/],
    ['$LATEST', 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:$LATEST', /\$LATEST/],
    ["another account's ARN", 'arn:aws:lambda:eu-west-1:999999999999:function:notifier:7', /account 999999999999/],
    [
      "another region's ARN",
      'arn:aws:lambda:us-east-1:123456789012:function:notifier:7',
      /region us-east-1, not the caller's eu-west-1/,
    ],
    ['something that is no ARN', 'notifier', /not a Lambda function ARN/],
  ])('refuses %s before sending anything', (_what, arn, message) => {
    const invoker = new LambdaInvoker({ client, env: { DURABLE_TARGET_NOTIFIER_ARN: arn } });
    const target = { service: 'notifier', workflow: 'notify', arnEnv: 'DURABLE_TARGET_NOTIFIER_ARN' };
    expect(() => invoker.targetArn(request(target))).toThrow(InvalidTargetArnError);
    expect(() => invoker.targetArn(request(target))).toThrow(message);
  });

  it("takes the caller's region from AWS_REGION when its ARN is not known", () => {
    const target = { service: 'notifier', workflow: 'notify', arnEnv: 'DURABLE_TARGET_NOTIFIER_ARN' };
    const env = { DURABLE_TARGET_NOTIFIER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:notifier:7' };
    const inIreland = new LambdaInvoker({ client, env: { ...env, AWS_REGION: 'eu-west-1' } });
    expect(() => inIreland.targetArn(request(target, null))).toThrow(/region us-east-1, not the caller's eu-west-1/);
    const inVirginia = new LambdaInvoker({ client, env: { ...env, AWS_REGION: 'us-east-1' } });
    expect(inVirginia.targetArn(request(target, null))).toBe(env.DURABLE_TARGET_NOTIFIER_ARN);
  });

  it('says which variable to set when no ARN is configured', () => {
    const invoker = new LambdaInvoker({ client, env: {} });
    const target = { service: 'notifier', workflow: 'notify', arnEnv: 'DURABLE_TARGET_NOTIFIER_ARN' };
    expect(() => invoker.targetArn(request(target))).toThrow(/set DURABLE_TARGET_NOTIFIER_ARN/);
    expect(() => invoker.targetArn(request(target))).toThrow(
      expect.objectContaining({ code: 'INVALID_TARGET_ARN' }) as Error,
    );
  });
});
