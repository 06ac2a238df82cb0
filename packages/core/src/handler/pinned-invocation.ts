import { UnpinnedInvocationError } from '../errors.js';
import { parseLambdaArn } from '../invoke/lambda-arn.js';
import type { PinnedVersion } from '../journal/records.js';
import type { LambdaContext } from './lambda-context.js';

/**
 * Throws {@link UnpinnedInvocationError} unless Lambda invoked this function through a published version or an
 * alias. Without a Lambda context, or one without `invokedFunctionArn` (local tools, tests, `InProcessInvoker`),
 * there is no deployed code to pin, so nothing is checked.
 */
export function assertPinnedInvocation(service: string, lambdaContext: LambdaContext | undefined): void {
  const invoked = lambdaContext?.invokedFunctionArn;
  if (invoked === undefined) return;
  const arn = parseLambdaArn(invoked);
  if (arn === undefined) throw new UnpinnedInvocationError(service, invoked, 'which is not a Lambda function ARN');
  if (arn.qualifier === undefined) throw new UnpinnedInvocationError(service, invoked, 'unqualified');
  if (arn.qualifier === '$LATEST') throw new UnpinnedInvocationError(service, invoked, 'which pins no code');
}

/**
 * The published version this invocation runs, which a new execution is pinned to: Lambda's `functionVersion`
 * (the version behind an alias, too), else `AWS_LAMBDA_FUNCTION_VERSION`, else the invoked ARN's qualifier when
 * it is a version number. Undefined outside Lambda (no context), where nothing is pinned.
 */
export function runningVersion(lambdaContext: LambdaContext | undefined): PinnedVersion | undefined {
  const arn =
    lambdaContext?.invokedFunctionArn === undefined ? undefined : parseLambdaArn(lambdaContext.invokedFunctionArn);
  if (arn === undefined) return undefined;
  const qualifier = arn.qualifier !== undefined && /^\d+$/.test(arn.qualifier) ? arn.qualifier : undefined;
  const version = lambdaContext?.functionVersion ?? process.env.AWS_LAMBDA_FUNCTION_VERSION ?? qualifier;
  if (version === undefined || !/^\d+$/.test(version)) return undefined;
  const functionArn = `arn:${arn.partition}:lambda:${arn.region}:${arn.account}:function:${arn.functionName}`;
  return { functionArn, version };
}
