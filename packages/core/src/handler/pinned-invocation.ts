import { UnpinnedInvocationError } from '../errors.js';
import { parseLambdaArn } from '../invoke/lambda-arn.js';
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
