import type { Diagnostic } from '@durable/codegen';
import type { Argv } from 'yargs';
import { ExitCode } from '../cli-error.js';
import type { Format, Output } from '../output.js';

/**
 * The `[paths..]` positional of every command that scans services. No
 * default here: codegen resolves a missing list to the paths the last
 * `generate` recorded in its manifest, else `src`.
 */
export function withSourcePaths<T>(yargs: Argv<T>): Argv<T & { paths?: string[] }> {
  return yargs.positional('paths', {
    type: 'string',
    array: true,
    describe:
      'Files, folders or globs holding the services, relative to the app folder ' +
      '(default: the paths the last generate was given, else src)',
  }) as Argv<T & { paths?: string[] }>;
}

/** A list given on the command line, or undefined to let codegen pick the recorded or default paths. */
export function givenPaths(paths: readonly string[] | undefined): readonly string[] | undefined {
  return paths === undefined || paths.length === 0 ? undefined : paths;
}

/**
 * Reports paths that name nothing to scan (codegen's `SourcePathsError`):
 * a usage error, exit 2, never a green "no problems". With `--format json`
 * the one finding is printed as JSON too (shaped by `json`, default the bare
 * array of `check`), so a tool reading stdout sees it.
 *
 * @returns undefined when `error` is something else (the caller rethrows it).
 */
export async function reportSourcePathsError(
  error: unknown,
  format: Format,
  output: Output,
  json: (diagnostics: Diagnostic[]) => unknown = (diagnostics) => diagnostics,
): Promise<ExitCode | undefined> {
  const { SourcePathsError } = await import('@durable/codegen');
  if (!(error instanceof SourcePathsError)) return undefined;
  if (format === 'json') {
    output.json(json([{ file: '.', line: 1, column: 1, code: error.code, severity: 'error', message: error.message }]));
  }
  output.note(`${output.stderr.red('error')}  ${error.message}`);
  output.note(`Searched: ${error.searched.join(' ') || '(no paths)'}`);
  return ExitCode.usage;
}

/**
 * @deprecated Kept until every command resolves paths through codegen: pass
 * {@link givenPaths}(args.paths) to `check`/`scan`, whose default is the
 * manifest's recorded paths, else `src`.
 */
export const DEFAULT_SOURCES = ['src/**/*.ts'];
