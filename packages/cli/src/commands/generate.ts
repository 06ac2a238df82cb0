import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { alignColumns, FORMATS, type Format, formatBytes, plural } from '../output.js';
import { countDiagnostics, printDiagnostics } from './diagnostics-output.js';
import { DEFAULT_SOURCES } from './sources.js';

interface GenerateArgs {
  paths: string[];
  out: string;
  account?: string;
  region?: string;
  table?: string;
  format: Format;
}

/** What happened to one generated file. */
type FileStatus = 'created' | 'updated' | 'unchanged' | 'removed';

/** The folders and file `generate` owns under its output folder (it replaces them whole). */
const GENERATED_ENTRIES = ['handlers', 'clients', 'iam', 'manifest.json'];

/**
 * `durable-gen generate [paths..] --out DIR --account ID --region R [--table T]`:
 * scans the services and writes their handlers, invoke stubs, IAM policies and
 * manifest. With any error it prints the diagnostics and writes
 * nothing; otherwise one line per file, saying whether it changed.
 */
export const generateCommand: Command<GenerateArgs> = {
  command: 'generate [paths..]',
  describe: 'Write handlers, invoke stubs, IAM policies and the manifest of the durable services',
  builder: (yargs) =>
    yargs
      .positional('paths', {
        type: 'string',
        array: true,
        default: DEFAULT_SOURCES,
        describe: 'Source files or globs, relative to the app folder',
      })
      .option('out', { type: 'string', default: 'generated', describe: 'Output folder, inside the app folder' })
      .option('account', { type: 'string', describe: 'AWS account id of services whose decorator names none' })
      .option('region', { type: 'string', describe: 'AWS region of services whose decorator names none' })
      .option('table', {
        type: 'string',
        describe: 'Checkpoint table of services whose decorator names none (default durable-executions)',
      })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: { files: [{ path, status, bytes }], diagnostics }',
      })
      .example('$0 generate --account 123456789012 --region eu-west-1', 'scan src/**/*.ts, write generated/'),
  run: async (args, { output, cwd }) => {
    const outDir = outputFolder(cwd, args.out);
    if (args.account !== undefined && !/^\d{12}$/.test(args.account)) {
      throw new UsageError(`--account must be a 12-digit AWS account id, not '${args.account}'.`);
    }
    if (args.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(args.region)) {
      throw new UsageError(`--region must be an AWS region such as eu-west-1, not '${args.region}'.`);
    }
    const before = readGenerated(cwd, outDir);
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const { generate, hasErrors } = await import('@durable/codegen');
    const { diagnostics, files } = generate({
      root: cwd,
      paths: args.paths,
      outDir,
      ...(args.account === undefined ? {} : { account: args.account }),
      ...(args.region === undefined ? {} : { region: args.region }),
      ...(args.table === undefined ? {} : { table: args.table }),
    });
    const failed = hasErrors(diagnostics);
    const changes = failed ? [] : fileChanges(before, files);
    if (args.format === 'json') {
      output.json({ files: changes, diagnostics });
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
