import { CliError, ExitCode } from '../cli-error.js';

/** Stable codes of {@link DeployError}. */
export type DeployErrorCode =
  | 'NO_MANIFEST'
  | 'UNKNOWN_SERVICE'
  | 'BAD_OPTION'
  | 'NOT_BUNDLED'
  | 'ZIP_MISSING'
  | 'ZIP_CHANGED'
  | 'UNKNOWN_CALLEE'
  | 'INVOKE_CYCLE'
  | 'CALLEE_NOT_DEPLOYED'
  | 'NO_REGION'
  | 'WRONG_REGION'
  | 'WRONG_ACCOUNT'
  | 'ROLE_REQUIRED'
  | 'SCHEDULE_ROLE_REQUIRED'
  | 'TABLE_UNUSABLE'
  | 'NO_DURABLE_CONFIG'
  | 'BACKEND_SWITCH'
  | 'DURABLE_CONFIG_CHANGED'
  | 'API_FAILED';

/** The codes that mean the command line asked for something that cannot be (exit 2). */
const USAGE_CODES: ReadonlySet<DeployErrorCode> = new Set(['UNKNOWN_SERVICE', 'BAD_OPTION']);

/**
 * Why `durable-gen deploy` stopped: `code` is stable, the message names the
 * service and what to do. Printed as one line, without a stack.
 */
export class DeployError extends CliError {
  constructor(
    readonly code: DeployErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${message} [${code}]`, USAGE_CODES.has(code) ? ExitCode.usage : ExitCode.failure, options);
  }
}

/** What the AWS SDK's errors carry: a name (`ResourceConflictException`) and the service's message. */
interface ServiceError {
  name?: string;
  message?: string;
}

/**
 * Runs one API call of a service's deploy, turning any failure into a
 * {@link DeployError} that names the service, the operation and what AWS
 * said: the one line a person needs, not the SDK's stack.
 */
export async function apiCall<T>(service: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DeployError) throw error;
    const { name, message } = (error ?? {}) as ServiceError;
    const what = message === undefined || message === '' ? String(error) : message;
    throw new DeployError(
      'API_FAILED',
      `service '${service}': ${operation} failed: ${what}${name !== undefined && name !== 'Error' ? ` (${name})` : ''}`,
      { cause: error },
    );
  }
}

/** True when `error` is the Lambda (or Scheduler) API's "no such resource". */
export function isNotFound(error: unknown): boolean {
  return (error as ServiceError | undefined)?.name === 'ResourceNotFoundException';
}
