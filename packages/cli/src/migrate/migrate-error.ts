import { CliError, ExitCode } from '../cli-error.js';

/** Stable codes of {@link MigrateError}. */
export type MigrateErrorCode =
  | 'UNKNOWN_SERVICE'
  | 'BAD_VERSION'
  | 'NOT_DEPLOYED'
  | 'LAMBDA_DURABLE'
  | 'VERSION_NOT_PUBLISHED'
  | 'VERSION_NOT_NEWER';

/** The codes that mean the command line asked for something that cannot be (exit 2). */
const USAGE_CODES: ReadonlySet<MigrateErrorCode> = new Set(['UNKNOWN_SERVICE', 'BAD_VERSION', 'VERSION_NOT_NEWER']);

/**
 * Why `durable-gen migrate` moved nothing at all: `code` is stable, the message names the service and what to do.
 * Printed as one line, without a stack.
 */
export class MigrateError extends CliError {
  constructor(
    readonly code: MigrateErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${message} [${code}]`, USAGE_CODES.has(code) ? ExitCode.usage : ExitCode.failure, options);
  }
}
