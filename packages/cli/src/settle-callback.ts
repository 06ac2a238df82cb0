import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CallbackCompletion, CheckpointStore, ExecutionKey, PendingCallback, Resumer } from '@durable/core';
import { CliError, UsageError } from './cli-error.js';
import { describeError } from './command.js';
import { allExecutions, findExecution } from './find-execution.js';
import type { CoreModule } from './local/app-runtime.js';
import { isLoopback, localCredentials } from './local-endpoint.js';
import { isInTree, listPendingCallbacks } from './pending-callbacks.js';

/** Which callback to settle: its token, or its execution and name. */
export type CallbackSelector = { token: string } | { executionId: string; name: string; service: string | undefined };

/** How to settle it: with a result, or with an error the workflow sees as a `CallbackFailedError`. */
export type CallbackOutcome = { kind: 'complete'; result: unknown } | { kind: 'fail'; error: Error };

/** What `callbacks complete|fail` read from the command line to name a callback and its outcome. */
export interface CallbackArgs {
  token?: string;
  execution?: string;
  name?: string;
  service?: string;
  result?: string;
  resultFile?: string;
  error?: string;
  errorCode?: string;
}

/** The token to settle, and the wait it belongs to when it is one that is pending. */
export interface SelectedCallback {
  token: string;
  pending: PendingCallback | undefined;
}

/** The token, or `--execution` with `--name`: exactly one of the two (exit 2 otherwise). */
export function readSelector(args: CallbackArgs): CallbackSelector {
  const byName = args.execution !== undefined || args.name !== undefined;
  if (args.token !== undefined && byName) {
    throw new UsageError('Name the callback once: a token, or --execution and --name, not both.');
  }
  if (args.token !== undefined) {
    if (args.service !== undefined) throw new UsageError('--service goes with --execution; a token names its service.');
    return { token: args.token };
  }
  if (args.execution === undefined || args.name === undefined) {
    throw new UsageError(
      'Name the callback: its token (durable-gen callbacks list prints it), or --execution ID and --name CALLBACK.',
    );
  }
  return { executionId: args.execution, name: args.name, service: args.service };
}

/**
 * The result of `complete` (`--result` or `--result-file`, JSON) or the error
 * of `fail` (`--error`, `--error-code`); exit 2 when it is missing or not JSON.
 */
export function readOutcome(kind: CallbackOutcome['kind'], args: CallbackArgs, cwd: string): CallbackOutcome {
  if (kind === 'fail') {
    if (args.error === undefined || args.error === '') {
      throw new UsageError('Say why it fails: --error MESSAGE (and --error-code CODE if the workflow checks one).');
    }
    const error = new Error(args.error);
    if (args.errorCode !== undefined) Object.assign(error, { code: args.errorCode });
    return { kind, error };
  }
  let text = args.result;
  if (args.resultFile !== undefined) {
    try {
      text = readFileSync(path.resolve(cwd, args.resultFile), 'utf8');
    } catch (error) {
      throw new UsageError(`--result-file ${args.resultFile} cannot be read: ${(error as Error).message}`);
    }
  }
  if (text === undefined) {
    throw new UsageError('Give the result: --result JSON (e.g. --result true) or --result-file FILE.');
  }
  try {
    return { kind, result: JSON.parse(text) };
  } catch (error) {
    const option = args.resultFile === undefined ? '--result' : `--result-file ${args.resultFile}`;
    throw new UsageError(
      `${option} is not JSON: ${(error as Error).message}. Quote it for the shell: --result '{"a":1}'.`,
    );
  }
}

/**
 * Finds the callback the command line names. A token is taken as it is (the
 * completion itself judges it: a bad token, a completed callback, a finished
 * execution are core's errors); an execution and a name must match exactly
 * one pending callback of that execution or of those it invoked. When none
 * matches, the reason is core's error for it, as a token would get.
 */
export async function selectCallback(
  core: CoreModule,
  store: CheckpointStore,
  selector: CallbackSelector,
): Promise<SelectedCallback> {
  if ('token' in selector) {
    const pending = (await listPendingCallbacks(core, store)).find((callback) => callback.token === selector.token);
    return { token: selector.token, pending };
  }
  const { executionId, name, service } = selector;
  const inTree = await listPendingCallbacks(core, store, {
    executionId,
    ...(service === undefined ? {} : { service }),
  });
  const matches = inTree.filter((callback) => callback.name === name);
  if (matches.length === 1) return { token: matches[0]!.token, pending: matches[0] };
  if (matches.length > 1) {
    const where = matches.map((callback) => `${callback.executionId} at ${callback.position}`).join(', ');
    throw new UsageError(
      `${matches.length} callbacks '${name}' are pending (${where}): name the execution exactly with --execution, ` +
        `or pass the token (durable-gen callbacks list --execution ${executionId}).`,
    );
  }
  throw await whyNotPending(core, store, selector, inTree);
}

/**
 * The error for a named callback that is not pending: completed already (or
 * its execution has ended since), or never waited for in that execution or
 * the ones it invoked.
 */
async function whyNotPending(
  core: CoreModule,
  store: CheckpointStore,
  selector: Extract<CallbackSelector, { name: string }>,
  inTree: readonly PendingCallback[],
): Promise<Error> {
  const execution = await findExecution(store, selector.executionId, selector.service);
  const tree = (await allExecutions(store)).filter(
    (record) => record.executionId !== execution.executionId && isInTree(record.executionId, execution.executionId),
  );
  for (const record of [execution, ...tree]) {
    const settled = (await store.loadJournal(record)).find(
      (op) => op.kind === 'callback' && op.name === selector.name && op.status !== 'STARTED',
    );
    if (settled === undefined) continue;
    // Core's own refusal, as a token would get it, said of the callback the command line named.
    const { status } = record;
    const finished = status === 'SUCCEEDED' || status === 'FAILED';
    const refusal = finished
      ? new core.CallbackExecutionFinishedError(record.executionId, settled.position, status)
      : new core.CallbackAlreadyCompletedError(settled.position);
    const said = `${describeError(refusal)}${finished ? '' : ' Nothing was written.'}`;
    return new CliError(`Callback '${selector.name}' of execution '${record.executionId}': ${said}`, undefined, {
      cause: refusal,
    });
  }
  const waiting = [...new Set(inTree.map((callback) => `'${callback.name}'`))].join(', ') || 'none';
  return new CliError(
    `Execution '${execution.executionId}' waits for no callback '${selector.name}' (it waits for: ${waiting}).`,
  );
}

/**
 * Records the outcome with core's `completeCallback` / `failCallback`, which
 * refuse, writing nothing, a bad token, a callback completed otherwise, or
 * one of an execution that has ended. Returns which execution to resume and,
 * with a `resumer`, whether the resume was sent to its pinned version.
 */
export async function settleCallback(
  core: CoreModule,
  store: CheckpointStore,
  token: string,
  outcome: CallbackOutcome,
  where: string,
  resumer?: Resumer,
): Promise<CallbackCompletion> {
  const options = resumer === undefined ? {} : { resumer };
  try {
    return outcome.kind === 'complete'
      ? await core.completeCallback(store, token, outcome.result, options)
      : await core.failCallback(store, token, outcome.error, options);
  } catch (error) {
    // Core's message speaks of an event without input; here the token names an execution this store lacks.
    if (!core.isDurableError(error, 'EXECUTION_NOT_FOUND')) throw error;
    const { executionId } = error as { executionId?: string };
    throw new CliError(
      `The token names execution '${executionId}', which ${where} does not have: is it of another store ` +
        '(a deployed table: pass --table), or was the execution deleted? Nothing was written.',
      undefined,
      { cause: error },
    );
  }
}

/** Where `--lambda-durable` sends: `--endpoint`, else `AWS_ENDPOINT_URL_LAMBDA`, else Lambda in `--region`. */
export interface LambdaApiOptions {
  endpoint?: string;
  region?: string;
}

/**
 * Sends the outcome of a callback of a service on backend `lambda-durable`
 * to the Lambda API, with core's `completeDurableCallback` /
 * `failDurableCallback`: the service keeps the callback and resumes the
 * execution itself, so no store is opened and no code of the app runs here.
 */
export async function settleDurableCallback(
  callbackId: string,
  outcome: CallbackOutcome,
  options: LambdaApiOptions,
): Promise<void> {
  // Loaded here: only this path needs the Lambda client and the durable SDK that comes with the subpath.
  const [{ LambdaClient }, durable] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('@durable/core/lambda-durable'),
  ]);
  const endpoint = options.endpoint || process.env.AWS_ENDPOINT_URL_LAMBDA || undefined;
  const isLocal = isLoopback(endpoint);
  // A server on this machine has no region: spare people configuring one for it.
  const region = options.region ?? (isLocal && process.env.AWS_REGION === undefined ? 'us-east-1' : undefined);
  const client = new LambdaClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(isLocal ? localCredentials() : {}),
  });
  try {
    if (outcome.kind === 'complete') await durable.completeDurableCallback(client, callbackId, outcome.result);
    else await durable.failDurableCallback(client, callbackId, outcome.error);
  } finally {
    client.destroy();
  }
}

/** A {@link Resumer} of deployed executions, and the clients to close once the command is done with it. */
export interface TableResumer {
  resumer: Resumer;
  close(): void;
}

/**
 * Resumes executions of a table where they run: an asynchronous invoke of
 * the version each is pinned to (core's `LambdaResumer`), sent to
 * `AWS_ENDPOINT_URL_LAMBDA` when set, else to `endpoint` (`--endpoint`:
 * `durable-gen dev` serves Lambda and DynamoDB on one URL), else to Lambda
 * in the function's region.
 */
export async function openTableResumer(endpoint: string | undefined): Promise<TableResumer> {
  // Loaded here: the Lambda client is heavy and only a resume on a table needs it.
  const [{ LambdaClient }, { LambdaResumer }] = await Promise.all([
    import('@aws-sdk/client-lambda'),
    import('@durable/core/lambda'),
  ]);
  const lambdaEndpoint = process.env.AWS_ENDPOINT_URL_LAMBDA || endpoint;
  const clients: InstanceType<typeof LambdaClient>[] = [];
  return {
    resumer: {
      resume: (functionArn, executionId) => {
        // The function's own region, as its ARN names it: the completer may be configured for another, or none.
        const region = functionArn.split(':')[3] || undefined;
        const client = new LambdaClient({
          ...(region === undefined ? {} : { region }),
          ...(lambdaEndpoint === undefined ? {} : { endpoint: lambdaEndpoint }),
          ...(isLoopback(lambdaEndpoint) ? localCredentials() : {}),
        });
        clients.push(client);
        return new LambdaResumer({ client }).resume(functionArn, executionId);
      },
    },
    close: () => {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
}

/**
 * The execution to run so that the settled callback takes effect: the
 * execution itself, or, when it is a child (`<parent>/<position>`), the
 * top-level execution that invoked it, which re-invokes the child as it
 * resumes (so both go on, in one run). Falls back to the child when its
 * parent cannot be told apart.
 */
export async function resumeTarget(store: CheckpointStore, key: ExecutionKey): Promise<ExecutionKey> {
  const rootId = key.executionId.split('/')[0]!;
  if (rootId === key.executionId) return key;
  const roots = (await allExecutions(store)).filter(
    (execution) =>
      execution.executionId === rootId && (execution.status === 'SUSPENDED' || execution.status === 'RUNNING'),
  );
  return roots.length === 1 ? { service: roots[0]!.service, executionId: rootId } : key;
}
