import type { Scope } from '../../context/active-scope.js';
import { valueIdentity } from '../../engine/operations/arguments.js';
import { InvalidTargetArnError, PayloadTooLargeError } from '../../errors.js';
import type { InvokeTarget } from '../../invoke/invoker.js';
import { parseLambdaArn, targetArnProblem } from '../../invoke/lambda-arn.js';
import { deserialize, serialize } from '../../serde/serialize.js';
import { carriedBy } from '../carried-errors.js';
import { type SdkExecution, sdkOf } from '../execution.js';
import { passThrough } from '../payloads.js';

/**
 * `ctx.invoke` (what generated stubs call) as the SDK's `context.invoke`: the service starts the target's
 * workflow as a durable execution of its own and invokes this function again with its outcome. The target is
 * its qualified ARN (its `arnEnv` variable, else `functionArn`), refused before anything is recorded when it is
 * unqualified, `$LATEST`, or in another account or region (the same rules as `LambdaInvoker`). The child gets
 * `{ workflow, input }` with the input as tagged JSON, and its output and errors come back with their values and
 * classes.
 */
export async function invoke(
  execution: SdkExecution,
  scope: Scope,
  target: InvokeTarget,
  input: unknown,
): Promise<unknown> {
  const name = `${target.service}.${target.workflow}`;
  const identity = valueIdentity(input, `the input of invoke '${name}'`);
  const functionArn = targetArnOf(execution, scope, target);
  const payload = invokePayload(target.workflow, input, `the input of invoke '${name}'`, execution.settings);
  const begun = execution.begin(scope, { kind: 'invoke', name, ...identity });
  try {
    const result = await begun.sdk.invoke<string, string>(name, functionArn, payload, {
      payloadSerdes: passThrough,
      resultSerdes: passThrough,
    });
    return result === undefined || result === '' ? undefined : deserialize(result);
  } catch (error) {
    throw carriedBy(error) ?? error;
  }
}

/** The qualified ARN `target` may be invoked with from this function, or an {@link InvalidTargetArnError}. */
function targetArnOf(execution: SdkExecution, scope: Scope, target: InvokeTarget): string {
  const { env } = execution.settings;
  const arn = (target.arnEnv === undefined ? undefined : env[target.arnEnv]) ?? target.functionArn;
  if (arn === undefined || arn === '') {
    throw new InvalidTargetArnError(
      target.service,
      `no ARN is configured: set ${target.arnEnv ?? 'the target ARN variable'} on the calling function to the ` +
        "target's qualified ARN (a published version or an alias): deploying the target sets it on its callers",
    );
  }
  const invoked: unknown = sdkOf(scope).lambdaContext?.invokedFunctionArn;
  const caller = typeof invoked === 'string' ? parseLambdaArn(invoked) : undefined;
  const region = caller?.region ?? env.AWS_REGION;
  const problem = targetArnProblem(arn, { account: caller?.account, region: region === '' ? undefined : region });
  if (problem !== undefined) throw new InvalidTargetArnError(target.service, problem.message);
  return arn;
}

/** The event the child gets, `{ workflow, input }` with the input as tagged JSON; over the limit, refused. */
function invokePayload(workflow: string, input: unknown, what: string, limits: { maxPayloadBytes: number }): string {
  const text = `{"workflow":${JSON.stringify(workflow)},"input":${serialize(input, what)}}`;
  const size = Buffer.byteLength(text);
  if (size > limits.maxPayloadBytes) throw new PayloadTooLargeError(what, size, limits.maxPayloadBytes);
  return text;
}
