import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import { DeployError } from './deploy-error.js';

// New and updated functions are Pending or InProgress for a while (seconds; a minute or two with a VPC).
const WAIT_SECONDS = 300;

/** What to wait for: a new function, an update, or a just-published version. */
export type FunctionWait = 'active' | 'updated' | 'version-active';

/**
 * Waits with the SDK's own waiters until the function (or `version` of it)
 * is ready for the next call, at most five minutes. The waiters' own errors
 * are a page of JSON; this one says in one line what Lambda reports as the
 * reason (`StateReason`, `LastUpdateStatusReason`).
 *
 * @throws DeployError `API_FAILED` naming the service and the state it stayed in.
 */
export async function waitForFunction(
  lambda: LambdaClient,
  service: string,
  functionName: string,
  wait: FunctionWait,
  version?: string,
): Promise<void> {
  const params = { client: lambda, maxWaitTime: WAIT_SECONDS };
  try {
    if (wait === 'active') await waitUntilFunctionActiveV2(params, { FunctionName: functionName });
    else if (wait === 'updated') await waitUntilFunctionUpdatedV2(params, { FunctionName: functionName });
    else await waitUntilPublishedVersionActive(params, { FunctionName: functionName, Qualifier: version });
  } catch (error) {
    const timedOut = (error as { name?: string }).name === 'TimeoutError';
    const state = await describeState(lambda, functionName, version);
    const what =
      wait === 'version-active' ? `version ${version}` : wait === 'active' ? 'the new function' : 'the update';
    throw new DeployError(
      'API_FAILED',
      `service '${service}': waiting for ${what} failed: ` +
        `${timedOut ? `still not ready after ${WAIT_SECONDS} s` : 'Lambda reports a failure'} (${state})`,
      { cause: error },
    );
  }
}

async function describeState(lambda: LambdaClient, functionName: string, version: string | undefined): Promise<string> {
  try {
    const configuration = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName, Qualifier: version }),
    );
    return [
      `State ${configuration.State ?? 'unknown'}`,
      configuration.StateReason,
      `LastUpdateStatus ${configuration.LastUpdateStatus ?? 'unknown'}`,
      configuration.LastUpdateStatusReason,
    ]
      .filter((part) => part !== undefined && part !== '')
      .join(', ');
  } catch (error) {
    return `its state could not be read: ${(error as Error).message}`;
  }
}
