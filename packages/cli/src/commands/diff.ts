import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest, SchemaDiff } from '@durable/codegen';
import { CliError, ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { readDeployedManifest } from '../deploy/deployed-schema.js';
import { alignColumns, FORMATS, type Format, type Output, padEnd, plural } from '../output.js';
import { countDiagnostics, printDiagnostics } from './diagnostics-output.js';
import { reportSourcePathsError } from './sources.js';

interface DiffArgs {
  old?: string;
  new?: string;
  out: string;
  service?: string;
  format: Format;
}

/** A manifest to compare, and how the summary names it. */
interface Side {
  manifest: Manifest;
  label: string;
}

/**
 * `durable-gen diff [OLD] [NEW] [--service S] [--format text|json]`: what changed in the workflows' operation
 * schemas between two manifests, and whether executions running on OLD replay on NEW. NEW defaults to the
 * working tree (generated as `generate` would, nothing written); OLD to what deploy last deployed
 * (`<out>/deployed/`), else the manifest committed at git HEAD, else the last generated one. Exits 1 when any change is breaking, so it
 * can gate CI.
 */
export const diffCommand: Command<DiffArgs> = {
  command: 'diff [old] [new]',
  describe: 'Tell which changes to the workflows running executions survive (safe) and which break them',
  builder: (yargs) =>
    yargs
      .positional('old', {
        type: 'string',
        describe:
          'The manifest running executions started on (default: the last deploy, <out>/deployed/, else ' +
          '<out>/manifest.json at git HEAD, else the one the last generate wrote)',
      })
      .positional('new', {
        type: 'string',
        describe: 'The manifest of the new code (default: the working tree, generated with the recorded options)',
      })
      .option('out', {
        type: 'string',
        default: 'generated',
        describe: 'The folder generate writes: its manifest supplies the recorded paths and options',
      })
      .option('service', { type: 'string', describe: 'Compare only this service' })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe:
          'text for people; json: { changes: [{ service, workflow, classification, change, file, line, … }], breaking }',
      })
      .example('$0 diff', 'the working tree against the last deploy')
      .example('$0 diff old/manifest.json generated/manifest.json --format json', 'two manifests, as JSON'),
  run: async (args, { output, cwd }) => {
    if (args.out.trim() === '') throw new UsageError('--out must name a folder, e.g. generated.');
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const codegen = await import('@durable/codegen');
    const outDir = codegen.normalizeOutDir(args.out);
    const next =
      args.new !== undefined ? readManifestArgument(cwd, args.new) : await workingTree(cwd, outDir, args, output);
    if (typeof next === 'number') return next;
    const old = args.old !== undefined ? readManifestArgument(cwd, args.old) : lastDeployed(cwd, outDir);
    const { service } = args;
    if (service !== undefined && !(service in old.manifest.services) && !(service in next.manifest.services)) {
      const known = [
        ...new Set([...Object.keys(old.manifest.services), ...Object.keys(next.manifest.services)]),
      ].sort();
      throw new UsageError(`No service '${service}' in either manifest (they have: ${known.join(', ') || 'none'}).`);
    }
    const diff = codegen.diffManifests(old.manifest, next.manifest, service === undefined ? {} : { service });
    if (args.format === 'json') output.json(diff);
    else {
      printSchemaChanges(diff, output);
      output.line(schemaDiffSummary(diff, `${old.label} → ${next.label}`));
    }
    return diff.breaking ? ExitCode.failure : ExitCode.ok;
  },
};

/**
 * One line per change, `file:line  BREAKING|safe  summary`, and the reason under it: what `diff` and
 * `generate` print.
 */
export function printSchemaChanges(diff: SchemaDiff, output: Output): void {
  const { red, green, dim } = output.stdout;
  const rows = diff.changes.map((change) => [
    `${change.file}:${change.line}`,
    // As wide as BREAKING whatever the rows: lines of diff and generate read alike.
    padEnd(change.classification === 'breaking' ? red('BREAKING') : green('safe'), 'BREAKING'.length),
    change.workflow === '' ? change.summary : `${change.workflow}: ${change.summary}`,
  ]);
  alignColumns(rows).forEach((line, index) => {
    output.line(line);
    output.line(`    ${dim(diff.changes[index]!.reason)}`);
  });
}

/** The line under the changes: how many, how many break running executions, and how to check real ones. */
export function schemaDiffSummary(diff: SchemaDiff, compared: string): string {
  if (diff.changes.length === 0) return `no schema changes: ${compared}`;
  const breaking = diff.changes.filter((change) => change.classification === 'breaking').length;
  const counted = `${plural(diff.changes.length, 'schema change')}, ${breaking === 0 ? 'none' : breaking} breaking: ${compared}`;
  return breaking === 0
    ? `${counted}. Running executions replay on the new code; durable-gen replay checks real journals.`
    : `${counted}. Running executions that recorded a changed position fail on the new code; durable-gen replay ` +
        'tells which for real journals.';
}

/** The working tree as `generate` would write it (nothing is written), with the options the manifest recorded. */
async function workingTree(cwd: string, outDir: string, args: DiffArgs, output: Output): Promise<Side | ExitCode> {
  const { formatDiagnostic, generate, hasErrors } = await import('@durable/codegen');
  let result: ReturnType<typeof generate>;
  try {
    result = generate({ root: cwd, outDir, dryRun: true });
  } catch (error) {
    const code = await reportSourcePathsError(error, args.format, output, (diagnostics) => ({
      changes: [],
      breaking: false,
      diagnostics,
    }));
    if (code === undefined) throw error;
    return code;
  }
  if (hasErrors(result.diagnostics)) {
    // stdout stays the SchemaDiff alone for a tool that parses it: the findings go to stderr then.
    if (args.format === 'json') for (const diagnostic of result.diagnostics) output.note(formatDiagnostic(diagnostic));
    else printDiagnostics(result.diagnostics, output);
    throw new CliError(
      `The working tree does not generate (${countDiagnostics(result.diagnostics)}): fix what is listed, or pass ` +
        'the NEW manifest to compare.',
    );
  }
  const manifest = JSON.parse(result.files.get(`${result.outDir}/manifest.json`)!) as Manifest;
  return { manifest, label: 'the working tree' };
}

/** What deploy last deployed, else the manifest committed at git HEAD, else the one the last `generate` wrote. */
function lastDeployed(cwd: string, outDir: string): Side {
  const deployed = readDeployedManifest(cwd, outDir);
  if (deployed !== undefined) {
    // A deploy to another Lambda API (durable-gen dev) is a deploy too, but not to AWS: say so.
    const endpoints = [
      ...new Set(Object.values(deployed.services).flatMap((entry) => entry.deployment?.endpoint ?? [])),
    ];
    const where = endpoints.length === 0 ? '' : `, to ${endpoints.join(' and ')}`;
    return { manifest: deployed, label: `the last deploy (${outDir}/deployed/${where})` };
  }
  const committed = `${outDir}/manifest.json`;
  let text: string;
  try {
    // `./` makes the path relative to the app folder, wherever the repository's root is.
    text = execFileSync('git', ['show', `HEAD:./${committed}`], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch {
    // Never deployed nor committed: the code as the last `generate` saw it is still something executions ran on.
    const generated = path.join(cwd, committed);
    if (existsSync(generated)) {
      return { manifest: parseManifest(readFileSync(generated, 'utf8'), committed), label: 'the last generate' };
    }
    throw new CliError(
      `Nothing to compare against: no ${outDir}/deployed/ (deploy writes it), no ${committed} committed at git ` +
        'HEAD, and none generated. Pass the OLD manifest: durable-gen diff OLD [NEW].',
    );
  }
  return { manifest: parseManifest(text, `${committed} at git HEAD`), label: `${committed} at git HEAD` };
}

function readManifestArgument(cwd: string, given: string): Side {
  const file = path.resolve(cwd, given);
  if (!existsSync(file)) throw new CliError(`${given} does not exist: name a manifest.json (generate writes one).`);
  return { manifest: parseManifest(readFileSync(file, 'utf8'), given), label: given };
}

function parseManifest(text: string, source: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `${source} is not JSON (${(error as Error).message}): name a manifest.json (generate writes one).`,
    );
  }
  const services = (parsed as Partial<Manifest> | null)?.services;
  if (typeof services !== 'object' || services === null) {
    throw new CliError(
      `${source} is not a manifest: it has no "services" object. Name a manifest.json (generate writes one).`,
    );
  }
  return parsed as Manifest;
}
