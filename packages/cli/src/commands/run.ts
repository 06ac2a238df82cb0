import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceModel, WorkflowModel } from '@durable/codegen';
import { UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { requireLegacyDecorators } from '../local/app-tsconfig.js';
import { checkServices, gateOnCheck } from '../local/check-gate.js';
import { withLocalApp } from '../local/local-app.js';
import { DEFAULT_MAX_WAIT_MS, requireMaxWait, runExecution } from '../local/local-run.js';

interface RunArgs {
  target: string;
  input?: string;
  inputFile?: string;
  id?: string;
  paths?: string[];
  maxWait: number;
  force: boolean;
}

/**
 * `durable-gen run Class.workflow --input JSON --id ID`, in the app's folder,
 * runs the workflow here, on the embedded store, with every
 * service of the app in this process so that invoked services run too.
 * Prints a line per operation and the result JSON as the last line of
 * stdout. The same id resumes the execution, or answers from the journal
 * once it has finished; the lease of a run that died is taken over.
 * Nothing runs while `durable-gen check` finds errors in the services,
 * unless `--force` says to (and then it is said what is passed over).
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
        describe:
          'Files, folders or globs holding the services, relative to the app folder ' +
          '(default: the paths the last generate was given, else src)',
      })
      .option('max-wait', {
        type: 'number',
        default: DEFAULT_MAX_WAIT_MS,
        describe: 'Longer sleeps and retry delays (ms) suspend the run; run again with the same --id later',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Run even when durable-gen check finds errors in the services (they are listed on stderr)',
      })
      .example('$0 run OrderService.place --input \'{"id":"o-1"}\' --id o-1', 'run, or resume, execution o-1'),
  run: async (args, { output, cwd }) => {
    const [className, workflowName] = parseTarget(args.target);
    const input = readInput(args, cwd);
    requireMaxWait(args.maxWait);
    const tsconfig = requireLegacyDecorators(cwd);
    const checked = await checkServices(cwd, args.paths, output);
    if (typeof checked === 'number') return checked;
    const { model, diagnostics } = checked;
    const service = findService(model.services, className, checked.paths);
    const workflow = findWorkflow(service, workflowName);
    gateOnCheck(diagnostics, { force: args.force, action: args.target }, output);
    const executionId = args.id ?? `${service.name}-${randomUUID().slice(0, 8)}`;
    const command = `run ${args.target} --id ${executionId}`;
    return withLocalApp(cwd, { services: model.services, required: service, tsconfig, command }, output, (app) =>
      runExecution(
        app,
        {
          service: service.name,
          workflow,
          executionId,
          ...(input === undefined ? {} : { input }),
          maxWait: args.maxWait,
        },
        output,
      ),
    );
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
