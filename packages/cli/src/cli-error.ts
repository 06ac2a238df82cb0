/** Exit codes of every durable-gen command: 0 fine, 1 findings or failure, 2 usage. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A problem a command reports as one clear line on stderr (no stack trace:
 * the message says what happened and what to do), ending with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line asked for something that cannot be: a malformed value, an unknown name. Exits 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
