import { ExitCode } from '../cli-error.js';
import type { Command } from '../command.js';
import { FORMATS, type Format, plural } from '../output.js';
import { countDiagnostics, printDiagnostics } from './diagnostics-output.js';
import { DEFAULT_SOURCES } from './sources.js';

interface CheckArgs {
  paths: string[];
  format: Format;
}

/**
 * `durable-gen check [paths..] [--format text|json]`: scans the services, lints their workflow code, and
 * prints what is wrong with them, without writing anything.
 * Exits 1 when any finding is an error, so it can gate CI.
 */
export const checkCommand: Command<CheckArgs> = {
  command: 'check [paths..]',
  describe: 'Report problems in the durable services (nothing is written)',
  builder: (yargs) =>
    yargs
      .positional('paths', {
        type: 'string',
        array: true,
        default: DEFAULT_SOURCES,
        describe: 'Source files or globs, relative to the app folder',
      })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: an array of { file, line, column, code, severity, message }',
      })
      .example('$0 check', 'check src/**/*.ts')
      .example('$0 check --format json', 'the findings as JSON, for tools'),
  run: async (args, { output, cwd }) => {
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const { check, hasErrors } = await import('@durable/codegen');
    const { model, diagnostics } = check({ root: cwd, paths: args.paths });
    if (args.format === 'json') {
      output.json(diagnostics);
    } else {
      printDiagnostics(diagnostics, output);
      const counted = countDiagnostics(diagnostics);
      const scanned = `${plural(model.services.length, 'service')} in ${args.paths.join(' ')}`;
      output.line(counted === undefined ? `no problems: ${scanned}` : `${counted}: ${scanned}`);
    }
    return hasErrors(diagnostics) ? ExitCode.failure : ExitCode.ok;
  },
};
