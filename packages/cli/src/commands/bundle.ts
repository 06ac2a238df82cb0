import path from 'node:path';
import { CliError, ExitCode } from '../cli-error.js';
import type { Command } from '../command.js';
import { alignColumns, FORMATS, type Format, formatBytes, plural } from '../output.js';
import { printDiagnostics } from './diagnostics-output.js';
import { reportSourcePathsError } from './sources.js';

interface BundleArgs {
  out: string;
  generated: string;
  service?: string[];
  format: Format;
}

/**
 * `durable-gen bundle [--out dist]`: one esbuild bundle and zip per service,
 * from the handlers `generate` wrote, once the services pass `check` and
 * `generated/` is what `generate` would write today. One line per service: its
 * name, zip, size and the start of its sha256 (what the manifest records).
 */
export const bundleCommand: Command<BundleArgs> = {
  command: 'bundle',
  describe: 'Bundle each service into a zip for Lambda (run generate first)',
  builder: (yargs) =>
    yargs
      .option('out', { type: 'string', default: 'dist', describe: 'Output folder, relative to the app folder' })
      .option('generated', { type: 'string', default: 'generated', describe: 'The folder generate wrote' })
      .option('service', { type: 'string', array: true, describe: 'Only these services (default: all)' })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: { services: [{ name, dir, zip, sha256, bytes }] }',
      }),
  run: async (args, { output, cwd }) => {
    // Loaded here, not at startup: esbuild and ts-morph are heavy and most commands do not need them.
    const { bundle, BundleError } = await import('@durable/codegen');
    let result: Awaited<ReturnType<typeof bundle>>;
    try {
      result = await bundle({
        root: cwd,
        outDir: args.out,
        generatedDir: args.generated,
        ...(args.service === undefined ? {} : { services: args.service }),
      });
    } catch (error) {
      const code = await reportSourcePathsError(error, 'text', output);
      if (code !== undefined) return code;
      if (!(error instanceof BundleError)) throw error;
      // Its messages say what to do (run generate first, fix the findings, name a known service): no stack trace.
      if (args.format === 'json') output.json({ services: [], diagnostics: error.diagnostics });
      else printDiagnostics(error.diagnostics, output);
      throw new CliError(`${error.message} [${error.code}]`);
    }
    if (args.format === 'json') {
      output.json(result);
      return ExitCode.ok;
    }
    const { dim } = output.stdout;
    const rows = result.services.map((service) => [
      service.name,
      path.relative(cwd, service.zip),
      formatBytes(service.bytes),
      dim(`sha256 ${service.sha256.slice(0, 12)}`),
    ]);
    for (const line of alignColumns(rows, [2])) output.line(line);
    output.line(`${plural(result.services.length, 'service')} bundled into ${args.out}/`);
    return ExitCode.ok;
  },
};
