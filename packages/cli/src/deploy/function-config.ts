import type { DurableConfig, FunctionConfiguration, UpdateFunctionConfigurationRequest } from '@aws-sdk/client-lambda';

/** The runtime every bundle is built for. */
export const RUNTIME = 'nodejs22.x';
/** `index.mjs` of the zip, its `handler` export. */
export const HANDLER = 'index.handler';

/** The configuration deploy gives a service's function. */
export interface DesiredConfiguration {
  /** The execution role; undefined keeps an existing function's role. */
  role?: string | undefined;
  timeoutSeconds: number;
  memoryMb: number;
  /** The whole environment: the table, and each callee's version ARN under its `targetArnEnv`. */
  environment: Record<string, string>;
  /** Backend `lambda-durable` only: set at creation (an existing function's was checked before: it cannot change). */
  durableConfig?: DurableConfig | undefined;
}

/** The fields of UpdateFunctionConfiguration deploy sets. */
export type ConfigurationChange = Pick<
  UpdateFunctionConfigurationRequest,
  'Role' | 'Timeout' | 'MemorySize' | 'Environment' | 'Runtime' | 'Handler'
>;

/**
 * What UpdateFunctionConfiguration must change so that `current` is
 * `desired`, or undefined when nothing differs: an update that changes
 * nothing would still give the function a new revision, and a new version to
 * publish.
 */
export function configurationChange(
  current: FunctionConfiguration,
  desired: DesiredConfiguration,
): ConfigurationChange | undefined {
  const change: ConfigurationChange = {};
  if (desired.role !== undefined && current.Role !== desired.role) change.Role = desired.role;
  if (current.Timeout !== desired.timeoutSeconds) change.Timeout = desired.timeoutSeconds;
  if (current.MemorySize !== desired.memoryMb) change.MemorySize = desired.memoryMb;
  if (current.Runtime !== RUNTIME) change.Runtime = RUNTIME;
  if (current.Handler !== HANDLER) change.Handler = HANDLER;
  if (!sameVariables(current.Environment?.Variables ?? {}, desired.environment)) {
    change.Environment = { Variables: desired.environment };
  }
  return Object.keys(change).length === 0 ? undefined : change;
}

/** Lambda's form of a zip's sha256 (base64) from the manifest's (hex). */
export function lambdaCodeSha256(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function sameVariables(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
