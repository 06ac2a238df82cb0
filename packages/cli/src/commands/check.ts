import { ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { FORMATS, type Format, plural } from '../output.js';
import { countDiagnostics, printDiagnostics } from './diagnostics-output.js';
import { type PlacementArgs, placementDefaults, withPlacementOptions } from './placement-options.js';
import { givenPaths, reportSourcePathsError, withSourcePaths } from './sources.js';

interface CheckArgs extends PlacementArgs {
  paths?: string[];
  out: string;
  format: Format;
}

/**
 * `durable-gen check [paths..] [--account ID --region R --table T] [--format text|json]`:
 * everything `generate` would refuse on, without writing anything: the
 * scanner's findings, the determinism lint, cross-account invokes and the
 * recorded deployments, with generate's options (or the ones the last
 * generate recorded). Exits 1 when any finding is an error, 2 when the paths
 * name no service, so it can gate CI.
 */
export const checkCommand: Command<CheckArgs> = {
  command: 'check [paths..]',
  describe: 'Report problems in the durable services: what generate would refuse (nothing is written)',
  builder: (yargs) =>
    withPlacementOptions(withSourcePaths(yargs))
      .option('out', {
        type: 'string',
        default: 'generated',
        describe: 'The folder generate writes: its manifest supplies the recorded paths and options',
      })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: an array of { file, line, column, code, severity, message }',
      })
      .example('$0 check', 'check the paths the last generate was given, else src/')
      .example('$0 check src --account 123456789012 --format json', 'the findings as JSON, for tools'),
  run: async (args, { output, cwd }) => {
    if (args.out.trim() === '') throw new UsageError('--out must name a folder, e.g. generated.');
    // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
    const { check, hasErrors } = await import('@durable/codegen');
    let result: ReturnType<typeof check>;
    try {
      const paths = givenPaths(args.paths);
      result = check({ root: cwd, outDir: args.out, ...(await placementDefaults(args)), ...(paths ? { paths } : {}) });
    } catch (error) {
      const code = await reportSourcePathsError(error, args.format, output);
      if (code === undefined) throw error;
      return code;
    }
    const { model, diagnostics, placements } = result;
    if (args.format === 'json') {
      output.json(diagnostics);
      return hasErrors(diagnostics) ? ExitCode.failure : ExitCode.ok;
    }
    printDiagnostics(diagnostics, output);
    const unplaced = new Map<string, string[]>();
    for (const { service, missing } of placements.unplaced) {
      const key = missing.join(' and ');
      unplaced.set(key, [...(unplaced.get(key) ?? []), service.className]);
    }
    for (const [missing, classes] of unplaced) {
      // Not a finding in the code: generate refuses it until the placement is given; check says what it skipped.
      const flags = missing
        .split(' and ')
        .map((what) => `--${what}`)
        .join(' and ');
      output.note(
        `note  no ${missing} for ${classes.join(', ')}: cross-account and ARN rules not applied; pass ${flags} ` +
          '(generate needs them too) or set them in @DurableService({ ... }).',
      );
    }
    const counted = countDiagnostics(diagnostics);
    const scanned = `${plural(model.services.length, 'service')} in ${result.paths.join(' ')}`;
    output.line(counted === undefined ? `no problems: ${scanned}` : `${counted}: ${scanned}`);
    return hasErrors(diagnostics) ? ExitCode.failure : ExitCode.ok;
  },
};
