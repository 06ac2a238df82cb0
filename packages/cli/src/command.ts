import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { CliError, ExitCode } from './cli-error.js';
import type { Output } from './output.js';

/** What every command gets besides its arguments: where to print, and the app's folder. */
export interface CommandContext {
  output: Output;
  /** The app's root: paths on the command line are relative to it. */
  cwd: string;
  /** Records the exit code of the command that ran (main exits with it once output has drained). */
  setExitCode(code: ExitCode): void;
}

/**
 * One durable-gen command, as its own file defines it: yargs' name,
 * description and options, and `run`, which returns the exit code instead of
 * exiting so that main can let stdout drain.
 */
export interface Command<Args> {
  command: string | readonly string[];
  describe: string;
  /** Declares the options `Args` describes (yargs' inferred types are not kept: `run` states what it reads). */
  builder: (yargs: Argv, context: CommandContext) => Argv<object>;
  run: (args: ArgumentsCamelCase<Args>, context: CommandContext) => Promise<ExitCode>;
}

/**
 * The yargs module of a command. Errors thrown by `run` become one line on
 * stderr and exit code 1 (or the {@link CliError}'s own code): a stack trace
 * helps nobody who mistyped an id. `DURABLE_DEBUG=1` shows it anyway.
 */
export function toYargsCommand<Args>(
  definition: Command<Args>,
  context: CommandContext,
): CommandModule<object, object> {
  return {
    command: definition.command as string | string[],
    describe: definition.describe,
    builder: (yargs) => definition.builder(yargs, context),
    handler: async (args) => {
      try {
        context.setExitCode(await definition.run(args as ArgumentsCamelCase<Args>, context));
      } catch (error) {
        context.setExitCode(reportError(error, context.output));
      }
    },
  };
}

/** Prints an error a command did not handle as one line, and says which exit code it means. */
export function reportError(error: unknown, output: Output): ExitCode {
  const { red } = output.stderr;
  if (error instanceof CliError) {
    output.note(`${red('error')}  ${error.message}`);
    return error.exitCode;
  }
  output.note(`${red('error')}  ${describeError(error)}`);
  if (process.env.DURABLE_DEBUG && error instanceof Error && error.stack) output.note(error.stack);
  return ExitCode.failure;
}

/** `Name (CODE): message`: an error on one line, whatever threw it, without its stack. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const name = error.name || 'Error';
  return `${name}${typeof code === 'string' && code !== '' ? ` (${code})` : ''}: ${error.message}`;
}
