/**
 * `@durable/cli`: the `durable-gen` command. Run it as
 * `durable-gen <command>`; `main` is the same program as a function, for
 * tools that embed it.
 *
 * @packageDocumentation
 */
export { CliError, ExitCode, UsageError } from './cli-error.js';
export type { ExecutionExport, PublicExecution } from './commands/executions.js';
export { type MainOptions, main } from './main.js';
