import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExecutionKey, PendingCallback } from '@durable/core';
import type { Argv } from 'yargs';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import { type Command, type CommandContext, toYargsCommand } from '../command.js';
import { requireLegacyDecorators } from '../local/app-tsconfig.js';
import { checkServices, gateOnCheck } from '../local/check-gate.js';
import { EMBEDDED_FOLDER } from '../local/embedded-store.js';
import { type LocalApp, withLocalApp } from '../local/local-app.js';
import { DEFAULT_MAX_WAIT_MS, type ExecutionRun, requireMaxWait, runExecution } from '../local/local-run.js';
import { isTableStore, type StoreOptions, withOpenStore, withStoreOptions } from '../open-store.js';
import { alignColumns, FORMATS, type Format, type Output, plural } from '../output.js';
import { listPendingCallbacks } from '../pending-callbacks.js';
import {
  type CallbackArgs,
  type CallbackOutcome,
  type CallbackSelector,
  openTableResumer,
  readOutcome,
  readSelector,
  resumeTarget,
  selectCallback,
  settleCallback,
  settleDurableCallback,
} from '../settle-callback.js';
import { givenPaths } from './sources.js';

interface ListArgs extends StoreOptions {
  service?: string;
  execution?: string;
  format: Format;
}

interface SettleArgs extends StoreOptions, CallbackArgs {
  resume: boolean;
  paths?: string[];
  maxWait: number;
  force: boolean;
  lambdaDurable: boolean;
}

type SettleKind = CallbackOutcome['kind'];

/** `durable-gen callbacks list`: what the executions wait for, with the tokens that complete it. */
const listCommand: Command<ListArgs> = {
  command: 'list',
  describe: 'List the callbacks executions wait for, with their tokens',
  builder: (yargs) =>
    withStoreOptions(
      yargs
        .option('service', { type: 'string', describe: 'Only executions of this service' })
        .option('execution', { type: 'string', describe: 'Only this execution and the ones it invoked' })
        .option('format', {
          choices: FORMATS,
          default: 'text' as Format,
          describe: 'text, or json: an array of { service, executionId, name, position, since, timeoutAt?, token }',
        }),
    ),
  run: (args, context) =>
    withOpenStore(context, args, 'callbacks list', async (opened, runtime) => {
      const pending =
        opened === undefined
          ? []
          : await listPendingCallbacks(runtime.core, opened.store, {
              ...(args.service === undefined ? {} : { service: args.service }),
              ...(args.execution === undefined ? {} : { executionId: args.execution }),
            });
      if (args.format === 'json') context.output.json(pending);
      else printPending(pending, opened?.description, context.output);
      return ExitCode.ok;
    }),
};

/**
 * `durable-gen callbacks complete|fail [token]`: settles one callback, named
 * by its token or by `--execution` and `--name`. On the embedded store the
 * execution then resumes here (`--no-resume` only records); on a table the
 * function that runs the service resumes it when invoked. With
 * `--lambda-durable` the token is a callback id of the Lambda durable
 * functions service, which takes the outcome and resumes the execution.
 */
function settleCommand(kind: SettleKind): Command<SettleArgs> {
  const verb = kind === 'complete' ? 'Complete' : 'Fail';
  return {
    command: `${kind} [token]`,
    describe: `${verb} a callback, by token or by --execution and --name; the execution resumes`,
    builder: (yargs) => withSettleOptions(yargs, kind),
    run: (args, context) => settle(kind, args, context),
  };
}

/**
 * `durable-gen callbacks list | complete | fail`: the callbacks executions
 * wait for (`ctx.waitForCallback`), on the app's embedded store (`.durable/`)
 * or a DynamoDB table with `--table`. Completing one on the embedded store
 * resumes its execution here, as `durable-gen run --id` does.
 */
export const callbacksCommand: Command<object> = {
  command: 'callbacks',
  describe: 'List, complete and fail the callbacks executions wait for',
  builder: (yargs, context) =>
    yargs
      .command(toYargsCommand(listCommand, context))
      .command(toYargsCommand(settleCommand('complete'), context))
      .command(toYargsCommand(settleCommand('fail'), context))
      .demandCommand(1, 'Name what to do: list, complete or fail.'),
  // Never reached: demandCommand refuses `callbacks` alone, and each sub-command has its own handler.
  run: async () => ExitCode.usage,
};

function withSettleOptions(yargs: Argv, kind: SettleKind): Argv<object> {
  const outcome: Argv<object> =
    kind === 'complete'
      ? yargs
          .option('result', { type: 'string', describe: 'What ctx.waitForCallback returns, as JSON' })
          .option('result-file', { type: 'string', describe: 'Read the result from this JSON file instead' })
          .conflicts('result', 'result-file')
          .example('$0 callbacks complete TOKEN --result \'{"approved":true}\'', 'complete, then resume here')
          .example('$0 callbacks complete --execution o-1 --name approval --result true', 'by execution and name')
          .example('$0 callbacks complete CALLBACK_ID --lambda-durable --result true', 'on backend lambda-durable')
      : yargs
          .option('error', { type: 'string', describe: 'The message of the error ctx.waitForCallback throws' })
          .option('error-code', { type: 'string', describe: "The error's code (error.reported.code in the workflow)" })
          .example('$0 callbacks fail TOKEN --error "rejected by finance"', 'the wait throws CallbackFailedError');
  return withStoreOptions(
    outcome
      .positional('token', { type: 'string', describe: 'The token, as durable-gen callbacks list prints it' })
      .option('execution', { type: 'string', describe: 'The execution waiting (with --name, instead of a token)' })
      .option('name', { type: 'string', describe: 'The callback name given to ctx.waitForCallback' })
      .option('service', { type: 'string', describe: 'The service of --execution, when several have that id' })
      .option('resume', {
        type: 'boolean',
        default: true,
        describe:
          'Resume the execution: here on the embedded store; on a table by invoking the version it is pinned to ' +
          '(--no-resume only records the outcome)',
      })
      .option('paths', {
        type: 'string',
        array: true,
        describe: 'Where the services are, for the resume (default: the paths the last generate was given, else src)',
      })
      .option('max-wait', {
        type: 'number',
        default: DEFAULT_MAX_WAIT_MS,
        describe: 'Longer sleeps and retry delays (ms) of the resume suspend it, as for run',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Resume even when durable-gen check finds errors in the services',
      })
      .option('lambda-durable', {
        type: 'boolean',
        default: false,
        describe:
          'The token is a callback id of a service on backend lambda-durable: send the outcome to the Lambda API ' +
          '(--endpoint, else AWS_ENDPOINT_URL_LAMBDA, else Lambda in --region), which resumes the execution',
      })
      .epilog(
        'On the embedded store the execution resumes here, as durable-gen run --id does. On a table ' +
          '(--table, --endpoint) no code of the app runs here: the outcome is recorded, and the version the ' +
          'execution is pinned to is invoked asynchronously with {"executionId": ID} (at AWS_ENDPOINT_URL_LAMBDA, ' +
          "else --endpoint, which durable-gen dev serves Lambda on too, else Lambda's); when that cannot be sent, " +
          "the service's sweeper resumes it. With --lambda-durable the outcome goes to the Lambda API " +
          '(SendDurableExecutionCallbackSuccess or …Failure) and Lambda resumes the execution itself.',
      ),
  );
}

async function settle(kind: SettleKind, args: SettleArgs, context: CommandContext): Promise<ExitCode> {
  const { output, cwd } = context;
  const selector = readSelector(args);
  const outcome = readOutcome(kind, args, cwd);
  if (args.lambdaDurable) return settleOnLambda(kind, selector, outcome, args, output);
  requireMaxWait(args.maxWait);
  if (isTableStore(args) || !args.resume) {
    return withOpenStore(context, args, `callbacks ${kind}`, async (opened, runtime) => {
      if (opened === undefined) throw nothingRan();
      const { token, pending } = await selectCallback(runtime.core, opened.store, selector);
      // No code of the app runs here: a deployed execution resumes where it runs, on the version that started it.
      const table = isTableStore(args) && args.resume ? await openTableResumer(args.endpoint) : undefined;
      const completion = await settleCallback(
        runtime.core,
        opened.store,
        token,
        outcome,
        opened.description,
        table?.resumer,
      ).finally(() => table?.close());
      printSettled(kind, completion, pending, output);
      const target = await resumeTarget(opened.store, completion);
      if (completion.resume !== undefined && 'sentTo' in completion.resume) {
        output.line(`Resumed: sent to ${completion.resume.sentTo} (the version it is pinned to).`);
      } else if (isTableStore(args)) {
        if (completion.resume !== undefined) output.line(`Not resumed: ${completion.resume.notSent}.`);
        const pinned = (await opened.store.getExecution(target))?.pinnedVersion;
        const where =
          pinned === undefined
            ? `the function of service '${target.service}'`
            : `${pinned.functionArn}:${pinned.version} (the version it is pinned to)`;
        output.line(
          `It is due now: invoke ${where} with {"executionId":"${target.executionId}"} to resume it, ` +
            "or let the service's sweeper resume it.",
        );
      } else {
        const workflow = (await opened.store.getExecution(target))?.workflow ?? '<workflow>';
        const className = await classNameOf(cwd, args.paths, target.service);
        output.line(`Not resumed (--no-resume): durable-gen run ${className}.${workflow} --id ${target.executionId}`);
      }
      return ExitCode.ok;
    });
  }
  if (!existsSync(path.join(cwd, EMBEDDED_FOLDER))) throw nothingRan();
  const tsconfig = requireLegacyDecorators(cwd);
  const checked = await checkServices(cwd, args.paths, output);
  if (typeof checked === 'number') return checked;
  gateOnCheck(checked.diagnostics, { force: args.force, action: 'the resume' }, output);
  const options = { services: checked.model.services, required: undefined, tsconfig, command: `callbacks ${kind}` };
  return withLocalApp(cwd, options, output, async (app) => {
    const { core } = app.runtime;
    const { token, pending } = await selectCallback(core, app.store, selector);
    // Known before anything is written when the token is pending: a resume that cannot run here refuses first.
    const planned = pending === undefined ? undefined : await planResume(app, pending, args.maxWait);
    const key = await settleCallback(core, app.store, token, outcome, `${EMBEDDED_FOLDER}/`);
    printSettled(kind, key, pending, output);
    return runExecution(app, planned ?? (await planResume(app, key, args.maxWait)), output);
  });
}

/** `--lambda-durable`: the outcome goes to the Lambda API, which keeps the callback and resumes the execution. */
async function settleOnLambda(
  kind: SettleKind,
  selector: CallbackSelector,
  outcome: CallbackOutcome,
  args: SettleArgs,
  output: Output,
): Promise<ExitCode> {
  if (!('token' in selector)) {
    throw new UsageError(
      'With --lambda-durable, pass the callback id as the token: Lambda finds a callback by id only.',
    );
  }
  if (args.table !== undefined) {
    throw new UsageError('--lambda-durable sends to the Lambda API and --table writes to a table: pass one of them.');
  }
  if (!args.resume) {
    throw new UsageError('--no-resume does not go with --lambda-durable: Lambda resumes the execution by itself.');
  }
  const { endpoint, region } = args;
  await settleDurableCallback(selector.token, outcome, {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
  });
  const id = selector.token.length > 24 ? `${selector.token.slice(0, 24)}…` : selector.token;
  const done = kind === 'complete' ? 'completed' : 'failed';
  output.line(`${done} callback ${id} through the Lambda API: Lambda resumes the execution`);
  return ExitCode.ok;
}

/** What to run so the settled callback takes effect; refused (exit 1) when this app cannot run it. */
async function planResume(app: LocalApp, key: ExecutionKey, maxWait: number): Promise<ExecutionRun> {
  const target = await resumeTarget(app.store, key);
  const record = await app.store.getExecution(target);
  const loaded = app.loaded.find((entry) => entry.model.name === target.service);
  const workflow = loaded?.model.workflows.find((w) => w.name === record?.workflow);
  if (record === undefined || workflow === undefined) {
    const why =
      loaded === undefined
        ? `service '${target.service}' is not among the services found here (or did not load)`
        : `service '${target.service}' has no workflow '${record?.workflow}' now`;
    throw new CliError(
      `Cannot resume execution '${target.executionId}' here: ${why}. Pass --no-resume to only record the outcome.`,
    );
  }
  return { service: target.service, workflow, executionId: target.executionId, maxWait };
}

/** The class of a service, for a command to copy; a placeholder when the sources do not say. */
async function classNameOf(root: string, paths: readonly string[] | undefined, service: string): Promise<string> {
  try {
    const { check } = await import('@durable/codegen');
    const given = givenPaths(paths);
    const { model } = check({ root, ...(given === undefined ? {} : { paths: given }) });
    return model.services.find((s) => s.name === service)?.className ?? '<Class>';
  } catch {
    // Only a hint: the completion is recorded whatever the sources look like.
    return '<Class>';
  }
}

function printSettled(kind: SettleKind, key: ExecutionKey, pending: PendingCallback | undefined, output: Output) {
  const which = pending === undefined ? 'the callback' : `callback '${pending.name}' (position ${pending.position})`;
  const done = kind === 'complete' ? 'completed' : 'failed';
  output.line(`${done} ${which} of execution ${key.executionId} (service ${key.service})`);
}

function nothingRan(): CliError {
  return new CliError(`No callbacks: nothing has run in this folder yet (it has no ${EMBEDDED_FOLDER}/).`);
}

function printPending(pending: readonly PendingCallback[], where: string | undefined, output: Output): void {
  if (pending.length === 0) {
    output.line(
      where === undefined
        ? 'no callbacks are pending: nothing has run in this folder yet'
        : `no callbacks are pending in ${where}`,
    );
    return;
  }
  const { dim } = output.stdout;
  const rows = [
    ['SERVICE', 'EXECUTION', 'CALLBACK', 'POS', 'SINCE', 'TOKEN'].map((title) => dim(title)),
    ...pending.map((callback) => [
      callback.service,
      callback.executionId,
      callback.name,
      callback.position,
      new Date(callback.since).toISOString(),
      callback.token,
    ]),
  ];
  for (const line of alignColumns(rows)) output.line(line);
  output.line(`${plural(pending.length, 'pending callback')}: durable-gen callbacks complete TOKEN --result JSON`);
}
