import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { alignColumns, FORMATS, type Format, formatBytes, plural } from '../output.js';
import { countDiagnostics, printDiagnostics } from './diagnostics-output.js';
import { printSchemaChanges, schemaDiffSummary } from './diff.js';
import { type PlacementArgs, placementDefaults, withPlacementOptions } from './placement-options.js';
import { givenPaths, reportSourcePathsError, withSourcePaths } from './sources.js';

interface GenerateArgs extends PlacementArgs {
  paths?: string[];
  out: string;
  format: Format;
}

/** What happened to one generated file. */
type FileStatus = 'created' | 'updated' | 'unchanged' | 'removed';

/** The folders and file `generate` owns under its output folder (it replaces them whole). */
const GENERATED_ENTRIES = ['handlers', 'clients', 'iam', 'manifest.json'];

/**
 * `durable-gen generate [paths..] --out DIR --account ID --region R [--table T]`:
 * scans the services and writes their handlers, invoke stubs, IAM policies and
 * manifest. With any error, or paths that name no service, it prints what is
 * wrong and writes nothing; otherwise one line per file, saying whether it
 * changed. Paths and options left out are the ones the manifest recorded.
 */
export const generateCommand: Command<GenerateArgs> = {
  command: 'generate [paths..]',
  describe: 'Write handlers, invoke stubs, IAM policies and the manifest of the durable services',
  builder: (yargs) =>
    withPlacementOptions(withSourcePaths(yargs))
      .option('out', { type: 'string', default: 'generated', describe: 'Output folder, inside the app folder' })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: { files: [{ path, status, bytes }], diagnostics, schemaDiff? }',
      })
      .example('$0 generate src --account 123456789012 --region eu-west-1', 'scan src/, write generated/')
      .example('$0 generate', 'again, with the paths and options the manifest recorded'),
  run: async (args, { output, cwd }) => {
    const outDir = outputFolder(cwd, args.out);
    const defaults = await placementDefaults(args);
    const before = readGenerated(cwd, outDir);
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const { generate, hasErrors } = await import('@durable/codegen');
    let result: ReturnType<typeof generate>;
    try {
      const paths = givenPaths(args.paths);
      result = generate({ root: cwd, outDir, ...defaults, ...(paths ? { paths } : {}) });
    } catch (error) {
      // Paths that name no service write nothing: the files of the last generate stay as they were.
      const code = await reportSourcePathsError(error, args.format, output, (diagnostics) => ({
        files: [],
        diagnostics,
      }));
      if (code === undefined) throw error;
      return code;
    }
    const { diagnostics, files, schemaDiff } = result;
    const failed = hasErrors(diagnostics);
    const changes = failed ? [] : fileChanges(before, files);
    if (args.format === 'json') {
      output.json({ files: changes, diagnostics, ...(schemaDiff === undefined ? {} : { schemaDiff }) });
      return failed ? ExitCode.failure : ExitCode.ok;
    }
    printDiagnostics(diagnostics, output);
    if (failed) {
      output.line(`${countDiagnostics(diagnostics)}: nothing written`);
      return ExitCode.failure;
    }
    const { green, yellow, dim } = output.stdout;
    const paint: Record<FileStatus, (text: string) => string> = {
      created: green,
      updated: yellow,
      unchanged: dim,
      removed: yellow,
    };
    for (const line of alignColumns(
      changes.map((change) => [
        paint[change.status](change.status),
        change.path,
        change.status === 'removed' ? '' : formatBytes(change.bytes),
      ]),
      [2],
    )) {
      output.line(line.trimEnd());
    }
    const changed = changes.filter((change) => change.status !== 'unchanged').length;
    output.line(`${plural(files.size, 'file')} in ${outDir}/, ${changed === 0 ? 'none' : changed} changed`);
    if (schemaDiff !== undefined && schemaDiff.changes.length > 0) {
      // Not a refusal: generate writes what the code says; deploy and `durable-gen diff` are where it gates.
      output.line();
      printSchemaChanges(schemaDiff, output);
      output.line(schemaDiffSummary(schemaDiff, `the last generate → the working tree`));
    }
    return ExitCode.ok;
  },
};

/** `--out` as generate takes it: relative to the app, with `/`. Outside the app, imports could not reach back. */
function outputFolder(root: string, out: string): string {
  const relative = path.relative(root, path.resolve(root, out));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UsageError(`--out must be a folder inside the app folder (${root}), not '${out}'.`);
  }
  return relative.split(path.sep).join('/');
}

/** The files a previous `generate` left under `outDir`, relative to the app, with their content. */
function readGenerated(root: string, outDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (relative: string): void => {
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) return;
    const entries = readdirSync(absolute, { withFileTypes: true });
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) visit(child);
      else found.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  for (const entry of GENERATED_ENTRIES) {
    const relative = `${outDir}/${entry}`;
    const absolute = path.join(root, relative);
    if (!existsSync(absolute)) continue;
    if (entry.endsWith('.json')) found.set(relative, readFileSync(absolute, 'utf8'));
    else visit(relative);
  }
  return found;
}

interface FileChange {
  path: string;
  status: FileStatus;
  bytes: number;
}

/** Each written file against what was there before, plus the files generate removed; sorted by path. */
function fileChanges(before: Map<string, string>, written: Map<string, string>): FileChange[] {
  const changes: FileChange[] = [];
  for (const [file, content] of written) {
    const previous = before.get(file);
    const status = previous === undefined ? 'created' : previous === content ? 'unchanged' : 'updated';
    changes.push({ path: file, status, bytes: Buffer.byteLength(content) });
  }
  for (const file of before.keys()) {
    if (!written.has(file)) changes.push({ path: file, status: 'removed', bytes: 0 });
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}
