import type { CheckResult, Diagnostic } from '@durable/codegen';
import { CliError, type ExitCode } from '../cli-error.js';
import { countDiagnostics, printDiagnostics } from '../commands/diagnostics-output.js';
import { givenPaths, reportSourcePathsError } from '../commands/sources.js';
import { type Output, plural } from '../output.js';

/**
 * `durable-gen check` over the app's services, as a command that runs them
 * sees it: the paths given (`--paths`), else those the last `generate`
 * recorded, else `src`. Paths that name no service are a usage error
 * (printed here): the exit code comes back instead of a result.
 */
export async function checkServices(
  root: string,
  paths: readonly string[] | undefined,
  output: Output,
): Promise<CheckResult | ExitCode> {
  // Loaded here, not at startup: ts-morph is heavy and most commands do not need it.
  const { check } = await import('@durable/codegen');
  const given = givenPaths(paths);
  try {
    return check({ root, ...(given === undefined ? {} : { paths: given }) });
  } catch (error) {
    const code = await reportSourcePathsError(error, 'text', output);
    if (code === undefined) throw error;
    return code;
  }
}

/** Options of {@link gateOnCheck}. */
export interface CheckGateOptions {
  /** `--force`: run despite errors, saying which. */
  force: boolean;
  /** What would run, for the refusal: `run OrderService.place`, `resume execution o-1`. */
  action: string;
}

/**
 * The gate in front of running the app's code locally (`run`, the resume after
 * `callbacks complete`): the findings of `durable-gen check` over the same
 * services. Errors refuse the run (exit 1, the findings on stdout, what to do
 * on stderr) before anything runs or is written: code that fails the lint
 * would record a journal that replays wrong. `--force` runs anyway and says
 * exactly what it passes over, on stderr, where it cannot mix with the result
 * JSON on stdout; so do warnings, which never refuse.
 *
 * @throws CliError when a finding is an error and `force` is not set.
 */
export function gateOnCheck(diagnostics: readonly Diagnostic[], options: CheckGateOptions, output: Output): void {
  if (diagnostics.length === 0) return;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 && !options.force) {
    printDiagnostics(diagnostics, output);
    throw new CliError(
      `${countDiagnostics(diagnostics)} in the services: not running ${options.action}. ` +
        'Fix them (durable-gen check lists them), or pass --force to run anyway.',
    );
  }
  printDiagnostics(diagnostics, onStderr(output));
  if (errors.length > 0) {
    const codes = [...new Set(errors.map((d) => d.code))].sort().join(', ');
    output.note(
      output.stderr.yellow(
        `${plural(errors.length, 'error')} in the services: ${codes}; running anyway because of --force`,
      ),
    );
  }
}

/** `output` with its lines sent to stderr, coloured for stderr. */
function onStderr(output: Output): Output {
  return { ...output, line: (text = '') => output.note(text), stdout: output.stderr };
}
