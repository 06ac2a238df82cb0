import {
  type CheckpointStore,
  type ExecutionRecord,
  exportExecution,
  type OperationRecord,
  type PendingCallback,
  type PublicExecution,
  publicExecution,
} from '@durable/core';
import type { Argv } from 'yargs';
import { CliError, ExitCode } from '../cli-error.js';
import { type Command, type CommandContext, toYargsCommand } from '../command.js';
import { findExecution } from '../find-execution.js';
import type { AppRuntime } from '../local/app-runtime.js';
import { type StoreOptions, withOpenStore, withStoreOptions } from '../open-store.js';
import { alignColumns, FORMATS, type Format, jsonLine, type Output, plural, truncate } from '../output.js';

interface ListArgs extends StoreOptions {
  service?: string;
  status?: ExecutionRecord['status'];
  limit: number;
  format: Format;
}

interface ShowArgs extends StoreOptions {
  id: string;
  service?: string;
  format: Format;
}

// The format's home is core (journal/execution-export.ts); named here too for the CLI's own index.
export type { ExecutionExport, PublicExecution } from '@durable/core';

const STATUSES: readonly ExecutionRecord['status'][] = ['RUNNING', 'SUSPENDED', 'SUCCEEDED', 'FAILED'];

/** `durable-gen executions list`: the executions of the store, newest first. */
const listCommand: Command<ListArgs> = {
  command: 'list',
  describe: 'List executions, newest first',
  builder: (yargs) =>
    withStoreOptions(
      yargs
        .option('service', { type: 'string', describe: 'Only this service' })
        .option('status', { choices: STATUSES, describe: 'Only executions with this status' })
        .option('limit', { type: 'number', default: 50, describe: 'At most this many' })
        .option('format', { choices: FORMATS, default: 'text' as Format, describe: 'text or json' }),
    ),
  run: (args, context) =>
    withStore(context, args, 'executions list', async (store) => {
      const { executions } =
        store === undefined
          ? { executions: [] }
          : await store.listExecutions({
              ...(args.service === undefined ? {} : { service: args.service }),
              ...(args.status === undefined ? {} : { status: args.status }),
              limit: args.limit,
            });
      printList(executions.map(publicExecution), args.format, context.output);
      return ExitCode.ok;
    }),
};

/** `durable-gen executions show ID`: the execution and its timeline, one line per journal record. */
const showCommand: Command<ShowArgs> = {
  command: 'show <id>',
  describe: 'Show an execution and its timeline',
  builder: (yargs) => withStoreOptions(withExecutionOptions(yargs)),
  run: (args, context) =>
    withStore(context, args, 'executions show', async (found, runtime) => {
      const store = requireStore(found, args.id);
      const execution = await findExecution(store, args.id, args.service);
      const journal = await store.loadJournal(execution);
      const callbacks = runtime.core.pendingCallbacks(execution, journal);
      if (args.format === 'json') {
        context.output.json({ execution: publicExecution(execution), journal, pendingCallbacks: callbacks });
      } else {
        printExecution(execution, journal, runtime, context.output);
        printPendingCallbacks(callbacks, context.output);
      }
      return ExitCode.ok;
    }),
};

/**
 * `durable-gen executions export ID`: the raw record and journal as JSON, as
 * the store keeps them (core's `ExecutionExport`, version 1): a complete copy
 * of what was recorded, to keep with a bug report, commit as a test fixture,
 * or replay against later code with `durable-gen replay FILE`.
 */
const exportCommand: Command<ShowArgs> = {
  command: 'export <id>',
  describe:
    'Print the raw JSON of an execution and its journal, values serialized as stored (to keep, or to check with durable-gen replay FILE)',
  builder: (yargs) => withStoreOptions(withExecutionOptions(yargs, 'json')),
  run: (args, context) =>
    withStore(context, args, 'executions export', async (found) => {
      const store = requireStore(found, args.id);
      const execution = await findExecution(store, args.id, args.service);
      context.output.json(exportExecution(execution, await store.loadJournal(execution)));
      return ExitCode.ok;
    }),
};

/**
 * `durable-gen executions list | show ID | export ID`: the journals of the
 * app's embedded store (`.durable/`), or of a DynamoDB table with `--table`.
 */
export const executionsCommand: Command<object> = {
  command: 'executions',
  describe: 'List, show and export executions of the embedded store or a table',
  builder: (yargs, context) => {
    return yargs
      .command(toYargsCommand(listCommand, context))
      .command(toYargsCommand(showCommand, context))
      .command(toYargsCommand(exportCommand, context))
      .demandCommand(1, 'Name what to do: list, show <id> or export <id>.');
  },
  // Never reached: demandCommand refuses `executions` alone, and each sub-command has its own handler.
  run: async () => ExitCode.usage,
};

function withExecutionOptions(yargs: Argv, format: Format = 'text'): Argv<object> {
  return yargs
    .positional('id', { type: 'string', describe: 'The execution id' })
    .option('service', { type: 'string', describe: 'The service, when several have an execution with this id' })
    .option('format', {
      choices: format === 'json' ? (['json'] as const) : FORMATS,
      default: format,
      describe: format === 'json' ? 'json (the only form)' : 'text or json',
    });
}

/** {@link withOpenStore}, handing `use` the store alone. */
function withStore(
  context: CommandContext,
  options: StoreOptions,
  command: string,
  use: (store: CheckpointStore | undefined, runtime: AppRuntime) => Promise<ExitCode>,
): Promise<ExitCode> {
  return withOpenStore(context, options, command, (opened, runtime) => use(opened?.store, runtime));
}

function requireStore(store: CheckpointStore | undefined, executionId: string): CheckpointStore {
  if (store === undefined) {
    throw new CliError(`No execution '${executionId}': nothing has run in this folder yet (it has no .durable/).`);
  }
  return store;
}

function printList(executions: PublicExecution[], format: Format, output: Output): void {
  if (format === 'json') {
    output.json(executions);
    return;
  }
  if (executions.length === 0) {
    output.line('no executions');
    return;
  }
  const { dim } = output.stdout;
  const rows = [
    ['ID', 'SERVICE', 'WORKFLOW', 'STATUS', 'CREATED', 'INVOCATIONS'].map((title) => dim(title)),
    ...executions.map((e) => [
      e.executionId,
      e.service,
      e.workflow,
      paintStatus(e.status, output),
      new Date(e.createdAt).toISOString(),
      String(e.invocations),
    ]),
  ];
  for (const line of alignColumns(rows, [5])) output.line(line);
  output.line(plural(executions.length, 'execution'));
}

function printExecution(
  execution: ExecutionRecord,
  journal: readonly OperationRecord[],
  runtime: AppRuntime,
  output: Output,
): void {
  const { dim } = output.stdout;
  const facts: [string, string][] = [
    ['execution', execution.executionId],
    ['service', execution.service],
    ['workflow', execution.workflow],
    ['status', paintStatus(execution.status, output)],
    ['created', new Date(execution.createdAt).toISOString()],
    ['updated', new Date(execution.updatedAt).toISOString()],
    ['invocations', String(execution.invocations)],
    ['input', preview(execution.input, runtime)],
  ];
  if (execution.output !== undefined) facts.push(['output', preview(execution.output, runtime)]);
  if (execution.error !== undefined) facts.push(['error', errorPreview(execution.error, runtime)]);
  if (execution.resumeAt !== undefined) facts.push(['resumes', new Date(execution.resumeAt).toISOString()]);
  if (execution.status === 'RUNNING' && execution.leaseOwner !== undefined) {
    const until =
      execution.leaseExpiresAt === undefined ? '' : ` until ${new Date(execution.leaseExpiresAt).toISOString()}`;
    facts.push(['leased', `${execution.leaseOwner}${until}`]);
  }
  for (const line of alignColumns(facts.map(([label, value]) => [dim(label), value]))) output.line(line);
  output.line();
  if (journal.length === 0) {
    output.line('no operations recorded');
    return;
  }
  const now = Date.now();
  const rows = [
    ['POS', 'KIND', 'NAME', 'STATUS', 'ATTEMPT', 'TIME', 'DETAIL'].map((title) => dim(title)),
    ...journal.map((op) => [
      op.position,
      op.kind,
      op.name,
      paintStatus(shownStatus(op, now), output),
      String(op.attempt),
      new Date(op.updatedAt).toISOString(),
      dim(operationDetail(op, runtime, now)),
    ]),
  ];
  for (const line of alignColumns(rows, [4])) output.line(line.trimEnd());
}

/**
 * The status people read: a sleep's record stays STARTED for good (its wake
 * time, not a second write, says when it is over), so one whose wake time has
 * passed shows as SUCCEEDED. `--format json` keeps the record as stored.
 */
function shownStatus(op: OperationRecord, now: number): string {
  return isSleepOver(op, now) ? 'SUCCEEDED' : op.status;
}

function isSleepOver(op: OperationRecord, now: number): boolean {
  return op.kind === 'sleep' && op.status === 'STARTED' && op.wakeAt !== undefined && op.wakeAt <= now;
}

/** What a record's status alone does not say: when a sleep wakes, when a retry comes, what failed. */
function operationDetail(op: OperationRecord, runtime: AppRuntime, now: number): string {
  const at = (label: string, epochMs: number | undefined) =>
    epochMs === undefined ? '' : `${label} ${new Date(epochMs).toISOString()}`;
  const details = [
    op.kind === 'sleep' ? at(isSleepOver(op, now) ? 'woke' : 'wakes', op.wakeAt) : '',
    op.status === 'RETRYING' ? at('retries', op.retryAt) : '',
    op.kind === 'callback' && op.status === 'STARTED' ? at('times out', op.timeoutAt) : '',
    op.error === undefined ? '' : errorPreview(op.error, runtime),
  ];
  return details.filter((detail) => detail !== '').join('  ');
}

/** The callbacks the execution waits for, each with the token that completes it. */
function printPendingCallbacks(callbacks: readonly PendingCallback[], output: Output): void {
  if (callbacks.length === 0) return;
  const { dim } = output.stdout;
  output.line();
  output.line(
    `waiting for ${plural(callbacks.length, 'callback')}: durable-gen callbacks complete TOKEN --result JSON`,
  );
  const rows = [
    ['POS', 'NAME', 'SINCE', 'TOKEN'].map((title) => dim(title)),
    ...callbacks.map((callback) => [
      callback.position,
      callback.name,
      new Date(callback.since).toISOString(),
      callback.token,
    ]),
  ];
  for (const line of alignColumns(rows)) output.line(line);
}

function paintStatus(status: string, output: Output): string {
  const { green, red, yellow } = output.stdout;
  if (status === 'SUCCEEDED') return green(status);
  if (status === 'FAILED') return red(status);
  return yellow(status);
}

/** A stored value as a short line of JSON. */
function preview(serialized: string, runtime: AppRuntime): string {
  try {
    return truncate(jsonLine(runtime.core.deserialize(serialized)) ?? 'undefined', 100);
  } catch {
    return truncate(serialized, 100);
  }
}

/** A stored error as `Name (CODE): message`, short. */
function errorPreview(serialized: string, runtime: AppRuntime): string {
  try {
    const error = runtime.core.deserialize(serialized) as { name?: string; code?: unknown; message?: string };
    const code = typeof error.code === 'string' ? ` (${error.code})` : '';
    return truncate(`${error.name ?? 'Error'}${code}: ${error.message ?? ''}`, 100);
  } catch {
    return truncate(serialized, 100);
  }
}
