import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type ExecutionExport,
  type ExecutionStatus,
  exportExecution,
  isDurableError,
  parseExecutionExport,
  type ReplayVerdict,
} from '@durable/core';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { allExecutions } from '../find-execution.js';
import { type AppRuntime, loadAppRuntime } from '../local/app-runtime.js';
import { requireLegacyDecorators } from '../local/app-tsconfig.js';
import { checkServices } from '../local/check-gate.js';
import { type LoadedService, loadServices } from '../local/load-services.js';
import { openStore, type StoreOptions, withStoreOptions } from '../open-store.js';
import { alignColumns, FORMATS, type Format, type Output, plural } from '../output.js';

interface ReplayArgs extends StoreOptions {
  paths?: string[];
  service?: string;
  status?: string[];
  pinnedVersion?: string;
  id?: string;
  format: Format;
}

/** A journal to replay, and where it came from (a file, or the store), for people and for `--format json`. */
interface Journal {
  source: string;
  recorded: ExecutionExport;
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUSPENDED', 'SUCCEEDED', 'FAILED'];
/** What a store is replayed for by default: the executions new code would meet. */
const RUNNING_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUSPENDED'];

/**
 * `durable-gen replay [paths..]`: runs the app's current code against
 * recorded journals, with no side effect (core's `replayJournal`: no step
 * body, callback submit or invoke runs, nothing is written anywhere), and
 * says for each whether the code still makes the recorded durable calls.
 * The journals are files of `executions export` and folders of them, else
 * the running executions of the embedded store or of a table. Exits 1 when
 * any diverges: the check to run before deploying code under running
 * executions, in CI against committed journals.
 */
export const replayCommand: Command<ReplayArgs> = {
  command: 'replay [paths..]',
  describe: "Replay recorded journals against the app's current code, running nothing; exit 1 if any diverges",
  builder: (yargs) =>
    withStoreOptions(
      yargs
        .positional('paths', {
          type: 'string',
          array: true,
          describe: 'Files of durable-gen executions export, or folders of them (default: the store below)',
        })
        .option('service', { type: 'string', describe: 'Only executions of this service' })
        .option('status', {
          type: 'string',
          array: true,
          choices: [...STATUSES, 'all'],
          describe: 'Only executions with these statuses (default: RUNNING SUSPENDED from a store, all from files)',
        })
        .option('pinned-version', { type: 'string', describe: 'Only executions pinned to this published version' })
        .option('id', { type: 'string', describe: 'Only the execution with this id' })
        .option('format', { choices: FORMATS, default: 'text' as Format, describe: 'text or json' })
        .example('$0 replay', 'replay the running executions of the embedded store')
        .example('$0 replay test/journals', 'replay every exported journal in a folder')
        .example('$0 replay --table orders-prod --status all', 'replay every execution of a table'),
    ),
  run: async (args, { output, cwd }) => {
    const tsconfig = requireLegacyDecorators(cwd);
    const files = args.paths ?? [];
    if (files.length > 0 && (args.table !== undefined || args.endpoint !== undefined)) {
      throw new UsageError('Replay either files or a table, not both: drop the paths or --table/--endpoint.');
    }
    // Files are read first: a bad one is reported before any of the app's code is loaded.
    const fromFiles = files.length > 0 ? readJournalFiles(cwd, files, args) : undefined;
    const checked = await checkServices(cwd, undefined, output);
    if (typeof checked === 'number') return checked;
    const runtime = await loadAppRuntime(cwd, { tsconfig });
    try {
      // A class that is not exported cannot be replayed: its journals diverge, saying why.
      const unloadable = new Map<string, string>();
      const services = await loadServices(runtime, cwd, checked.model.services, undefined, (service, reason) =>
        unloadable.set(service.name, reason),
      );
      const journals = fromFiles ?? (await readStoreJournals(runtime, cwd, args));
      const verdicts: (ReplayVerdict & { source: string })[] = [];
      for (const journal of journals) {
        verdicts.push({
          source: journal.source,
          ...(await replayOne(runtime, services, unloadable, journal.recorded)),
        });
      }
      printVerdicts(verdicts, args.format, output);
      return verdicts.some((verdict) => !verdict.compatible) ? ExitCode.failure : ExitCode.ok;
    } finally {
      await runtime.close();
    }
  },
};

/** The verdict of the app's code on one journal; a service the code lacks is a divergence, said plainly. */
async function replayOne(
  runtime: AppRuntime,
  services: readonly LoadedService[],
  unloadable: ReadonlyMap<string, string>,
  recorded: ExecutionExport,
): Promise<ReplayVerdict> {
  const { execution } = recorded;
  const loaded = services.find((service) => service.model.name === execution.service);
  if (loaded === undefined) {
    const known = services.map((service) => `'${service.model.name}'`).join(', ') || 'none';
    const why = unloadable.get(execution.service) ?? `the code has no service '${execution.service}' (it has ${known})`;
    return {
      executionId: execution.executionId,
      service: execution.service,
      workflow: execution.workflow,
      ...(execution.pinnedVersion === undefined ? {} : { pinnedVersion: execution.pinnedVersion.version }),
      invocations: execution.invocations,
      replayed: 0,
      compatible: false,
      position: '',
      recorded: null,
      actual: null,
      message: why,
    };
  }
  if (typeof runtime.core.replayJournal !== 'function') {
    throw new CliError("The app's @durable/core cannot replay journals: update it to this durable-gen's version.");
  }
  // The app's own core: its engine is the one that sees the app's @Step methods (see local/app-runtime.ts).
  return runtime.core.replayJournal(loaded.serviceClass, recorded);
}

/** Every journal in the files and folders named, read and checked, in the order given (a folder's sorted). */
function readJournalFiles(cwd: string, paths: readonly string[], filters: ReplayArgs): Journal[] {
  const journals: Journal[] = [];
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    if (!existsSync(full)) throw new CliError(`${given} does not exist: name an exported journal or a folder of them.`);
    const isFolder = statSync(full).isDirectory();
    let found = 0;
    for (const file of isFolder ? jsonFilesIn(full) : [full]) {
      const source = path.relative(cwd, file) || file;
      const value = readJsonFile(file, source);
      // In a folder, other JSON files (fixtures, configuration) are not journals; a file named on its own must be.
      if (isFolder && !claimsJournalFormat(value)) continue;
      journals.push({ source, recorded: parseJournal(value, source) });
      found += 1;
    }
    if (found === 0) {
      throw new CliError(
        `${given} holds no exported journal (no .json file with "format": "durable-execution"), so there is ` +
          `nothing to replay: write journals into it with durable-gen executions export ID > ${given}/ID.json.`,
      );
    }
  }
  const statuses = wantedStatuses(filters.status, STATUSES);
  const matching = journals.filter((journal) => matches(journal.recorded, filters, statuses));
  if (matching.length === 0) {
    throw new CliError(
      `None of the ${plural(journals.length, 'journal')} in ${paths.join(' ')} is ${describeFilters(filters, statuses)}: nothing was replayed.`,
    );
  }
  return matching;
}

function readJsonFile(file: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      `${source} is not JSON (${(error as Error).message}): name a file of durable-gen executions export.`,
    );
  }
}

function claimsJournalFormat(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === 'durable-execution';
}

function parseJournal(value: unknown, source: string): ExecutionExport {
  try {
    return parseExecutionExport(value, source);
  } catch (error) {
    if (isDurableError(error, 'JOURNAL_FORMAT')) throw new CliError(error.message);
    throw error;
  }
}

/** The .json files under `folder`, as source paths are found: skipping node_modules and dot-folders. */
function jsonFilesIn(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) files.push(...jsonFilesIn(full));
    } else if (entry.isFile() && entry.name.endsWith('.json')) {
      files.push(full);
    }
  }
  return files;
}

/** The journals of the executions the store holds that the filters pick, each as `executions export` writes it. */
async function readStoreJournals(runtime: AppRuntime, cwd: string, filters: ReplayArgs): Promise<Journal[]> {
  const opened = await openStore(runtime, cwd, filters, 'replay');
  if (opened === undefined) {
    throw new CliError(
      'Nothing has run in this folder yet (it has no .durable/), so there is no journal to replay: ' +
        'name exported journals, or a table with --table.',
    );
  }
  try {
    const statuses = wantedStatuses(filters.status, RUNNING_STATUSES);
    const executions = (
      await allExecutions(opened.store, filters.service === undefined ? {} : { service: filters.service })
    ).filter((record) => matches(record, filters, statuses));
    if (executions.length === 0) {
      throw new CliError(
        `No execution in ${opened.description} is ${describeFilters(filters, statuses)}: nothing was replayed.` +
          (filters.status === undefined ? ' Pass --status all to replay finished ones too.' : ''),
      );
    }
    const journals: Journal[] = [];
    for (const record of executions) {
      journals.push({
        source: opened.description,
        recorded: exportExecution(record, await opened.store.loadJournal(record)),
      });
    }
    return journals;
  } finally {
    await opened.close();
  }
}

function wantedStatuses(
  given: readonly string[] | undefined,
  fallback: readonly ExecutionStatus[],
): readonly ExecutionStatus[] {
  if (given === undefined || given.length === 0) return fallback;
  return given.includes('all') ? STATUSES : (given as ExecutionStatus[]);
}

function matches(
  candidate: ExecutionExport | ExecutionExport['execution'],
  filters: ReplayArgs,
  statuses: readonly ExecutionStatus[],
): boolean {
  const execution = 'execution' in candidate ? candidate.execution : candidate;
  return (
    statuses.includes(execution.status) &&
    (filters.service === undefined || execution.service === filters.service) &&
    (filters.id === undefined || execution.executionId === filters.id) &&
    (filters.pinnedVersion === undefined || execution.pinnedVersion?.version === filters.pinnedVersion)
  );
}

/** `RUNNING or SUSPENDED, of service 'orders', pinned to version 3`: what the filters asked for. */
function describeFilters(filters: ReplayArgs, statuses: readonly ExecutionStatus[]): string {
  const parts = [statuses.length === STATUSES.length ? 'of any status' : statuses.join(' or ')];
  if (filters.service !== undefined) parts.push(`of service '${filters.service}'`);
  if (filters.id !== undefined) parts.push(`with id '${filters.id}'`);
  if (filters.pinnedVersion !== undefined) parts.push(`pinned to version ${filters.pinnedVersion}`);
  return parts.join(', ');
}

function printVerdicts(
  verdicts: readonly (ReplayVerdict & { source: string })[],
  format: Format,
  output: Output,
): void {
  if (format === 'json') {
    output.json(verdicts);
    return;
  }
  const { green, red } = output.stdout;
  const withVersions = verdicts.some((verdict) => verdict.pinnedVersion !== undefined);
  const rows = verdicts.map((verdict) => [
    verdict.service,
    verdict.executionId,
    ...(withVersions ? [verdict.pinnedVersion === undefined ? '' : `v${verdict.pinnedVersion}`] : []),
    verdict.compatible
      ? `${green('compatible')}  ${plural(verdict.replayed, 'position')} replayed`
      : red(`DIVERGES${verdict.position === '' ? '' : ` at position ${verdict.position}`}: ${verdict.message}`),
  ]);
  for (const line of alignColumns(rows)) output.line(line.trimEnd());
  const diverging = verdicts.filter((verdict) => !verdict.compatible).length;
  output.line();
  output.line(
    `${plural(verdicts.length, 'journal')} replayed: ${verdicts.length - diverging} compatible, ${diverging} ${diverging === 1 ? 'diverges' : 'diverge'}`,
  );
  if (diverging > 0) {
    output.note(
      'Code that diverges from a running execution fails it with NonDeterminismError: let such executions finish ' +
        'on the version they are pinned to, or keep their durable calls as recorded.',
    );
  }
}
