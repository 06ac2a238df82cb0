import { DurableError } from '../errors.js';
import { parseLambdaArn } from '../invoke/lambda-arn.js';
import type { LambdaContext } from './lambda-context.js';

/**
 * A deployed handler was invoked unqualified or as `$LATEST`: it refuses to run, and writes nothing, since a
 * later invocation of the same execution could meet other code than the code that recorded it.
 */
export class UnpinnedInvocationError extends DurableError {
  static override readonly code = 'UNPINNED_INVOCATION';
  constructor(
    readonly service: string,
    readonly invokedFunctionArn: string,
    reason: string,
  ) {
    super(
      UnpinnedInvocationError.code,
      `Service '${service}' was invoked as '${invokedFunctionArn}', ${reason}: a resumed execution could replay ` +
        'on other code than the code that recorded it. Invoke a published version or an alias ' +
        `(…:function:<name>:<version>), never the function unqualified or $LATEST. Nothing was written.`,
    );
  }
}

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
