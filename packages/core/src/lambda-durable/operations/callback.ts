import { runInScope, type Scope } from '../../context/active-scope.js';
import { CallbackFailedError, CallbackTimeoutError } from '../../errors.js';
import { decodeCallbackResult, reportedFailure } from '../callback-payloads.js';
import { CarriedError, carriedBy } from '../carried-errors.js';
import { NEVER, type SdkExecution } from '../execution.js';
import { noRetry } from '../retry-strategy.js';
import { wholeSeconds } from './sleep.js';

/**
 * `ctx.waitForCallback` as the SDK's `context.waitForCallback`: the service hands out the callback id (the token
 * `submit` gets), and invokes the function again once a completer sends `SendDurableExecutionCallbackSuccess`
 * or `…Failure` with it, or the timeout (whole seconds, rounded up) passes. `submit` runs as a step of the SDK
 * that is not retried: its error is the callback's outcome, as on the dynamodb engine. It runs again if the
 * invocation dies before its end is recorded: make it idempotent.
 */
export async function waitForCallback(
  execution: SdkExecution,
  scope: Scope,
  name: string,
  submit: (token: string) => unknown,
  timeoutMs: number | undefined,
): Promise<unknown> {
  const timeout =
    timeoutMs === undefined ? undefined : { seconds: wholeSeconds(timeoutMs, `the timeout of callback '${name}'`) };
  const begun = execution.begin(scope, { kind: 'callback', name, argsHash: '' });
  try {
    const result = await begun.sdk.waitForCallback<string>(
      name,
      async (callbackId) => {
        if (!execution.mayRun(scope)) return NEVER;
        const submitScope: Scope = { ...scope, counter: 0, inStep: `callback ${name}` };
        try {
          await runInScope(submitScope, () => submit(callbackId));
        } catch (error) {
          throw new CarriedError(error);
        }
      },
      { retryStrategy: noRetry, ...(timeout === undefined ? {} : { timeout }) },
    );
    return decodeCallbackResult(result);
  } catch (error) {
    throw callbackFailure(error, name, begun.position, timeoutMs);
  }
}

/** What a callback that did not succeed throws in the workflow, as on the dynamodb engine. */
function callbackFailure(error: unknown, name: string, position: string, timeoutMs: number | undefined): unknown {
  const type = (error as { errorType?: unknown } | null)?.errorType;
  if (type === 'CallbackTimeoutError') return new CallbackTimeoutError(name, timeoutMs ?? 0);
  if (type === 'CallbackExternalError') return new CallbackFailedError(name, position, reportedFailure(error));
  // The submitter's own error, carried through the SDK's CallbackSubmitterError.
  return carriedBy(error) ?? error;
}
