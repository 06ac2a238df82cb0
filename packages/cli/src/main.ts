import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { ExitCode, UsageError } from './cli-error.js';
import { type CommandContext, toYargsCommand } from './command.js';
import { bundleCommand } from './commands/bundle.js';
import { callbacksCommand } from './commands/callbacks.js';
import { checkCommand } from './commands/check.js';
import { deployCommand } from './commands/deploy.js';
import { devCommand } from './commands/dev.js';
import { diffCommand } from './commands/diff.js';
import { executionsCommand } from './commands/executions.js';
import { generateCommand } from './commands/generate.js';
import { migrateCommand } from './commands/migrate.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { type Output, processOutput } from './output.js';

/** Where main reads and writes; tests may pass their own. */
export interface MainOptions {
  /** The app's folder (default: the working directory). */
  cwd?: string;
  output?: Output;
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/**
 * The `durable-gen` command line: parses `argv` (without `node` and the
 * script), runs the command, and resolves with the exit code: 0 fine, 1
 * findings or failure, 2 usage. It does not call `process.exit`, so that
 * whatever was printed reaches a pipe before the process ends.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.ok;
  const context: CommandContext = {
    output: options.output ?? processOutput(),
    cwd: options.cwd ?? process.cwd(),
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const { output } = context;
  const cli = yargs([...argv])
    .scriptName('durable-gen')
    .usage(
      '$0 <command> [options]\n\nDurable execution for AWS Lambda: generate, check, bundle and run durable services.',
    )
    .command(toYargsCommand(generateCommand, context))
    .command(toYargsCommand(checkCommand, context))
    .command(toYargsCommand(diffCommand, context))
    .command(toYargsCommand(bundleCommand, context))
    .command(toYargsCommand(runCommand, context))
    .command(toYargsCommand(executionsCommand, context))
    .command(toYargsCommand(replayCommand, context))
    .command(toYargsCommand(callbacksCommand, context))
    .command(toYargsCommand(deployCommand, context))
    .command(toYargsCommand(devCommand, context))
    .command(toYargsCommand(migrateCommand, context))
    .demandCommand(1, 'Name a command.')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    .epilog('Exit codes: 0 fine, 1 findings or failure, 2 usage error.')
    .exitProcess(false)
    // Thrown, not just reported: yargs would otherwise go on and run the command it just refused.
    .fail((message: string | null, error: Error | undefined) => {
      throw error ?? new UsageError(message ?? 'Invalid command line.');
    });
  cli.wrap(Math.min(120, cli.terminalWidth()));
  try {
    await cli.parseAsync();
  } catch (error) {
    // yargs' own usage errors (unknown command or option, missing argument) exit 2, not 1: the command never ran.
    if (!(error instanceof UsageError)) throw error;
    output.note(`${output.stderr.red('error')}  ${error.message}`);
    output.note('Run durable-gen --help, or durable-gen <command> --help, for usage.');
    return ExitCode.usage;
  }
  return exitCode;
}
