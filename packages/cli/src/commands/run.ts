import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { ServiceModel, WorkflowModel } from '@durable/codegen';
import type { CheckpointStore, ExecutionKey, ExecutionRecord, ExecutionResult } from '@durable/core';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import { type Command, describeError } from '../command.js';
import { type AppRuntime, loadAppRuntime } from '../local/app-runtime.js';
import { requireLegacyDecorators } from '../local/app-tsconfig.js';
import { type OpenStore, openEmbeddedStore } from '../local/embedded-store.js';
import { loadServices } from '../local/load-services.js';
import { isDeadLocalOwner, localOwner, parseLocalOwner } from '../local/local-owner.js';
import { progressLogger, progressObserver } from '../local/progress.js';
import { formatDuration, jsonLine, type Output } from '../output.js';
import { DEFAULT_SOURCES } from './sources.js';

interface RunArgs {
  target: string;
  input?: string;
  inputFile?: string;
  id?: string;
  paths: string[];
  maxWait: number;
}

/** Waits (sleeps, retry delays) longer than this suspend a local run by default, as they would suspend a Lambda. */
const DEFAULT_MAX_WAIT_MS = 10_000;

/**
 * `durable-gen run Class.workflow --input JSON --id ID`, in the app's folder,
 * runs the workflow here, on the embedded store, with every
 * service of the app in this process so that invoked services run too.
 * Prints a line per operation and the result JSON as the last line of
 * stdout. The same id resumes the execution, or answers from the journal
 * once it has finished; the lease of a run that died is taken over.
 */
export const runCommand: Command<RunArgs> = {
  command: 'run <target>',
  describe: 'Run a workflow locally on the embedded store (.durable/); the same --id resumes it',
  builder: (yargs) =>
    yargs
      .positional('target', { type: 'string', describe: 'Class.workflow, e.g. OrderService.place' })
      .option('input', { type: 'string', describe: 'The workflow input, as JSON (omit to resume an execution)' })
      .option('input-file', { type: 'string', describe: 'Read the workflow input from this JSON file instead' })
      .conflicts('input', 'input-file')
      .option('id', { type: 'string', describe: 'Execution id; the same id resumes or answers (default: a new id)' })
      .option('paths', {
        type: 'string',
        array: true,
        default: DEFAULT_SOURCES,
        describe: 'Where the services are, relative to the app folder',
      })
      .option('max-wait', {
        type: 'number',
        default: DEFAULT_MAX_WAIT_MS,
        describe: 'Longer sleeps and retry delays (ms) suspend the run; run again with the same --id later',
      })
      .example('$0 run OrderService.place --input \'{"id":"o-1"}\' --id o-1', 'run, or resume, execution o-1'),
  run: async (args, { output, cwd }) => {
    const [className, workflowName] = parseTarget(args.target);
    const input = readInput(args, cwd);
    if (!(Number.isFinite(args.maxWait) && args.maxWait >= 0)) {
      throw new UsageError('--max-wait must be a number of milliseconds >= 0.');
    }
    const tsconfig = requireLegacyDecorators(cwd);
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const { scan, hasErrors } = await import('@durable/codegen');
    const { model, diagnostics } = scan({ root: cwd, paths: args.paths });
    const service = findService(model.services, className, args.paths);
    const workflow = findWorkflow(service, workflowName);
    if (hasErrors(diagnostics)) {
      output.note(output.stderr.yellow('note  durable-gen check finds errors in these services; running anyway.'));
    }
    const executionId = args.id ?? `${service.name}-${randomUUID().slice(0, 8)}`;

    const runtime = await loadAppRuntime(cwd, { tsconfig });
    let opened: OpenStore | undefined;
    try {
      const loaded = await loadServices(runtime, cwd, model.services, service, (skipped, reason) =>
        output.note(output.stderr.yellow(`note  ${reason}: ${skipped.name} cannot be invoked in this run.`)),
      );
      opened = await openEmbeddedStore(runtime, cwd, {
        create: true,
        command: `run ${args.target} --id ${executionId}`,
      });
      const { store } = opened;
      const key = { service: service.name, executionId };
      const before = await store.getExecution(key);
      if (before === undefined && input === undefined) {
        throw new UsageError(`Execution '${executionId}' does not exist: pass --input (or --input-file) to start it.`);
      }
      output.line(`${output.stdout.bold(`${service.className}.${workflow.name}`)}  ${executionId}  ${stateOf(before)}`);

      let owner = localOwner();
      const invoker = new runtime.core.InProcessInvoker({
        services: loaded.map((entry) => entry.serviceClass),
        store,
        observer: progressObserver(output, executionId, nameWidth(model.services)),
        logger: progressLogger(output),
        leaseOwner: () => owner,
        maxInProcessWaitMs: args.maxWait,
      });
      const handler = invoker.handler(service.name);
      const event = { executionId, workflow: workflow.name, ...(input === undefined ? {} : { input: input.value }) };
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
        return await reportFailure(error, runtime, store, key, output);
      }
      const elapsed = formatDuration(Date.now() - startedAt);
      if (result.status === 'SUSPENDED') {
        const until = result.resumeAt === undefined ? 'an outside event' : new Date(result.resumeAt).toISOString();
        output.line(
          `${output.stdout.yellow('SUSPENDED')} after ${elapsed}, until ${until}: run again with --id ${executionId}`,
        );
      } else {
        output.line(`${output.stdout.green(result.status)} in ${elapsed}`);
      }
      output.line(jsonLine(result));
      return ExitCode.ok;
    } finally {
      await opened?.close();
      await runtime.close();
    }
  },
};

/** `OrderService.place` → its class and workflow names. */
function parseTarget(target: string): [string, string] {
  const match = /^([A-Za-z_$][\w$]*)\.([\w$-]+)$/.exec(target);
  if (match === null) throw new UsageError(`'${target}' is not Class.workflow (e.g. OrderService.place).`);
  return [match[1]!, match[2]!];
}

/** The input of `--input` or `--input-file`, wrapped so that `null` input and no input stay apart. */
function readInput(args: Pick<RunArgs, 'input' | 'inputFile'>, cwd: string): { value: unknown } | undefined {
  let text = args.input;
  if (args.inputFile !== undefined) {
    try {
      text = readFileSync(path.resolve(cwd, args.inputFile), 'utf8');
    } catch (error) {
      throw new UsageError(`--input-file ${args.inputFile} cannot be read: ${(error as Error).message}`);
    }
  }
  if (text === undefined) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const hint = args.inputFile === undefined ? ` Quote it for the shell: --input '{"a":1}'.` : '';
    const option = args.inputFile === undefined ? '--input' : `--input-file ${args.inputFile}`;
    throw new UsageError(`${option} is not JSON: ${(error as Error).message}.${hint}`);
  }
}

function findService(services: readonly ServiceModel[], className: string, paths: readonly string[]): ServiceModel {
  const service = services.find((s) => s.className === className);
  if (service === undefined) {
    const known = services.map((s) => s.className).join(', ') || 'none';
    throw new UsageError(`No @DurableService class ${className} in ${paths.join(' ')} (found: ${known}).`);
  }
  return service;
}

/** By its stable name, or by its method's name when that differs. */
function findWorkflow(service: ServiceModel, name: string): WorkflowModel {
  const workflow = service.workflows.find((w) => w.name === name) ?? service.workflows.find((w) => w.method === name);
  if (workflow === undefined) {
    const known = service.workflows.map((w) => w.name).join(', ') || 'none';
    throw new UsageError(`${service.className} has no workflow '${name}' (it has: ${known}).`);
  }
  return workflow;
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

/** The name column fits the longest step, workflow or invoke target the scanner found. */
function nameWidth(services: readonly ServiceModel[]): number {
  const names = services.flatMap((s) => [
    ...s.steps.map((step) => step.name),
    ...s.workflows.map((w) => w.name),
    ...s.invokes.map((i) => `${i.service}.${i.workflow}`),
  ]);
  return Math.min(32, Math.max(12, ...names.map((name) => name.length)));
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
 * not go on (busy, conflict, store): then the error alone.
 */
async function reportFailure(
  error: unknown,
  runtime: AppRuntime,
  store: CheckpointStore,
  key: ExecutionKey,
  output: Output,
): Promise<ExitCode> {
  if (error instanceof CliError) throw error;
  const record = await store.getExecution(key).catch(() => undefined);
  if (record?.status !== 'FAILED') throw error;
  const { red } = output.stderr;
  output.note(`${red('FAILED')}  execution ${key.executionId}  ${describeError(error)}`);
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  const code = runtime.core.isDurableError(error) ? error.code : (error as { code?: unknown }).code;
  output.line(
    jsonLine({
      status: 'FAILED',
      executionId: key.executionId,
      error: { name, ...(typeof code === 'string' ? { code } : {}), message },
    }),
  );
  return ExitCode.failure;
}
