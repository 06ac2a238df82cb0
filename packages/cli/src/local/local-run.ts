import { hostname } from 'node:os';
import type { WorkflowModel } from '@durable/codegen';
import type { CheckpointStore, ExecutionKey, ExecutionRecord, ExecutionResult } from '@durable/core';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import { describeError } from '../command.js';
import { formatDuration, jsonLine, type Output } from '../output.js';
import type { LocalApp } from './local-app.js';
import { isDeadLocalOwner, localOwner, parseLocalOwner } from './local-owner.js';
import { progressLogger, progressNameWidth, progressObserver } from './progress.js';
import { printSuspended } from './suspended-hint.js';

/** Waits (sleeps, retry delays) longer than this suspend a local run by default, as they would suspend a Lambda. */
export const DEFAULT_MAX_WAIT_MS = 10_000;

/** `--max-wait` as a number of milliseconds, or a usage error (exit 2). */
export function requireMaxWait(maxWait: number): void {
  if (!(Number.isFinite(maxWait) && maxWait >= 0)) {
    throw new UsageError('--max-wait must be a number of milliseconds >= 0.');
  }
}

/** One execution to run here: started with `input`, or resumed (or answered) without. */
export interface ExecutionRun {
  /** The service's stable name. */
  service: string;
  workflow: WorkflowModel;
  executionId: string;
  /** Wrapped, so that `null` input and no input stay apart. */
  input?: { value: unknown };
  /** Longer sleeps and retry delays (ms) suspend the run. */
  maxWait: number;
}

/**
 * Runs one execution of the app here, as `durable-gen run` does: a header
 * line saying how it starts, a line per operation as it happens (services it
 * invokes run in this process, nested under the invoke), then the outcome
 * for people and the result JSON as the last line of stdout. A SUSPENDED
 * outcome says what will resume it. The lease of a local run that died is
 * taken over. An id taken by another run of the workflow (another input,
 * another workflow) is refused before anything runs.
 *
 * @returns the exit code: 0 when the execution succeeded or suspended, 1 when it failed.
 */
export async function runExecution(app: LocalApp, run: ExecutionRun, output: Output): Promise<ExitCode> {
  const { runtime, store } = app;
  const entry = app.loaded.find((loaded) => loaded.model.name === run.service);
  if (entry === undefined) {
    throw new CliError(`Service '${run.service}' cannot run here: its class did not load (see the note above).`);
  }
  const { model: service } = entry;
  const { executionId } = run;
  const key = { service: service.name, executionId };
  const before = await store.getExecution(key);
  if (before === undefined && run.input === undefined) {
    throw new UsageError(`Execution '${executionId}' does not exist: pass --input (or --input-file) to start it.`);
  }
  if (before !== undefined) refuseConflict(app, before, run);
  output.line(`${output.stdout.bold(`${service.className}.${run.workflow.name}`)}  ${executionId}  ${stateOf(before)}`);

  let owner = localOwner();
  const invoker = new runtime.core.InProcessInvoker({
    services: app.loaded.map((loaded) => loaded.serviceClass),
    store,
    observer: progressObserver(output, executionId, progressNameWidth(app.services)),
    logger: progressLogger(output),
    leaseOwner: () => owner,
    maxInProcessWaitMs: run.maxWait,
  });
  const handler = invoker.handler(service.name);
  const event = {
    executionId,
    workflow: run.workflow.name,
    ...(run.input === undefined ? {} : { input: run.input.value }),
  };
  const startedAt = Date.now();
  const invoke = async (): Promise<ExecutionResult> => {
    try {
      return await handler(event);
    } catch (error) {
      if (!runtime.core.isDurableError(error, 'EXECUTION_BUSY')) throw error;
      const deadOwner = await deadLeaseOwner(store, key, error);
      output.line(
        output.stdout.yellow(
          `  process ${parseLocalOwner(deadOwner)?.pid} left this execution running and is gone: taking over`,
        ),
      );
      // The claim accepts its own owner: running as the dead process is what lets this run in before its lease ends.
      owner = deadOwner;
      return handler(event);
    }
  };
  let result: ExecutionResult;
  try {
    result = await invoke();
  } catch (error) {
    if (runtime.core.isDurableError(error, 'EXECUTION_CONFLICT')) {
      // Another run took the id between the check above and the claim.
      throw new CliError((error as Error).message, ExitCode.failure, { cause: error });
    }
    return await reportFailure(error, app, key, output);
  }
  const elapsed = formatDuration(Date.now() - startedAt);
  if (result.status === 'SUSPENDED') {
    await printSuspended(app, key, result, elapsed, output);
  } else {
    output.line(`${output.stdout.green(result.status)} in ${elapsed}`);
  }
  output.line(jsonLine(result));
  return ExitCode.ok;
}

/**
 * The engine would refuse an id that a run of another workflow, or with
 * another input, has taken (`ExecutionConflictError`), but only after the
 * header said the run answers from the journal. Said here first, as one
 * error: the input compares as the engine compares it, serialized.
 */
function refuseConflict(app: LocalApp, before: ExecutionRecord, run: ExecutionRun): void {
  const what =
    before.workflow !== run.workflow.name
      ? `an execution of workflow '${before.workflow}', not '${run.workflow.name}'`
      : run.input !== undefined && app.runtime.core.serialize(run.input.value, 'the workflow input') !== before.input
        ? `an execution (${before.status}) with another input`
        : undefined;
  if (what === undefined) return;
  const resume = before.workflow === run.workflow.name ? ', or drop --input to resume or read that execution' : '';
  throw new CliError(`Execution id '${run.executionId}' is taken by ${what}: choose a new --id${resume}.`);
}

/** How the run starts, from the record as it stands. */
function stateOf(record: ExecutionRecord | undefined): string {
  if (record === undefined) return 'new execution';
  const invocations = `${record.invocations} invocation${record.invocations === 1 ? '' : 's'} so far`;
  if (record.status === 'SUCCEEDED' || record.status === 'FAILED') {
    return `already ${record.status}: answered from the journal, nothing runs`;
  }
  return `resuming (${record.status}, ${invocations})`;
}

/**
 * The owner of the lease that refused this run, when it is a local run of
 * this host that died (killed, crashed): then this run may take its place.
 * Any other owner may still be running the execution: a clear error says
 * whose it is.
 */
async function deadLeaseOwner(store: CheckpointStore, key: ExecutionKey, busy: unknown): Promise<string> {
  const holder = (await store.getExecution(key))?.leaseOwner;
  const local = parseLocalOwner(holder);
  if (holder !== undefined && isDeadLocalOwner(local)) return holder;
  const who =
    local === undefined
      ? `invocation '${holder ?? 'unknown'}'`
      : local.host === hostname()
        ? `process ${local.pid}, which is still running`
        : `process ${local.pid} on ${local.host}, which cannot be checked from here`;
  throw new CliError(`${(busy as Error).message} Its lease is held by ${who}.`, ExitCode.failure, { cause: busy });
}

/**
 * A run that threw: the execution FAILED (its recorded error, on one line, and
 * a FAILED result as the last stdout line for tools), or the run itself could
 * not go on (busy, store): then the error alone.
 */
async function reportFailure(error: unknown, app: LocalApp, key: ExecutionKey, output: Output): Promise<ExitCode> {
  if (error instanceof CliError) throw error;
  const record = await app.store.getExecution(key).catch(() => undefined);
  if (record?.status !== 'FAILED') throw error;
  const { red } = output.stderr;
  output.note(`${red('FAILED')}  execution ${key.executionId}  ${describeError(error)}`);
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  const code = app.runtime.core.isDurableError(error) ? error.code : (error as { code?: unknown }).code;
  output.line(
    jsonLine({
      status: 'FAILED',
      executionId: key.executionId,
      error: { name, ...(typeof code === 'string' ? { code } : {}), message },
    }),
  );
  return ExitCode.failure;
}
