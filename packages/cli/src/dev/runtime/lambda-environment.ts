import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { RunnableVersion } from './function-runner.js';

/** The Lambda runtime whose environment dev reproduces: bundles target it. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/**
 * The variables Lambda sets itself and refuses in a function's `Environment.Variables` at create and update
 * time (InvalidParameterValueException). The server checks a function's variables against this list; the
 * runtime applies these last, so that they win even if one slipped through.
 */
export const RESERVED_ENVIRONMENT_KEYS: readonly string[] = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
];

/**
 * Credentials of no account. SDK clients inside a function refuse to send a request without some; the dev
 * server accepts any, and the user's own never reach the function.
 */
const DEV_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIADURABLEDEVLOCAL0',
  AWS_SECRET_ACCESS_KEY: 'durable-dev-local-secret-access-key',
  AWS_SESSION_TOKEN: 'durable-dev-local-session-token',
};

/** What the environment of one execution environment (one child process) depends on besides the version. */
export interface EnvironmentPlace {
  region: string;
  /** The dev server: the function's Lambda and DynamoDB clients are sent there. */
  endpointUrl: string;
  /** This execution environment's log stream (one per child, as in Lambda). */
  logStreamName: string;
  /** The folder of the runtime itself (the bootstrap), Lambda's `/var/runtime`. */
  runtimeDir: string;
}

/** Lambda's log group of a function. */
export function logGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** A fresh log stream name in Lambda's form, `2026/01/31/[$LATEST]<32 hex digits>`. */
export function newLogStreamName(version: string, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * The whole environment of a child running `version`: nothing of the dev process's own environment but PATH
 * (so no credentials, profile or NODE_OPTIONS of the user's leak in), then the function's variables, then Lambda's
 * reserved ones and dev's endpoints, which the function's cannot override.
 */
export function lambdaEnvironment(version: RunnableVersion, place: EnvironmentPlace): Record<string, string> {
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    // The SDK would read the user's ~/.aws files (a profile's endpoints, retries) when HOME resolves; a
    // function in Lambda has none.
    AWS_CONFIG_FILE: path.join(place.runtimeDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(place.runtimeDir, 'no-aws-credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const reserved: Record<string, string> = {
    _HANDLER: version.handler,
    AWS_REGION: place.region,
    AWS_DEFAULT_REGION: place.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${LAMBDA_RUNTIME}`,
    AWS_LAMBDA_FUNCTION_NAME: version.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(version.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: version.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(version.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: place.logStreamName,
    ...DEV_CREDENTIALS,
    LAMBDA_TASK_ROOT: version.codeDir,
    LAMBDA_RUNTIME_DIR: place.runtimeDir,
    TZ: ':UTC',
    // Not reserved in Lambda, but dev's: a function's clients must talk to this server, whatever it set.
    AWS_ENDPOINT_URL_LAMBDA: place.endpointUrl,
    AWS_ENDPOINT_URL_DYNAMODB: place.endpointUrl,
  };
  // The dev process's NODE_OPTIONS (a TypeScript loader, a debugger) never reaches the child, as `base` does not
  // carry it; a function's own (`--enable-source-maps`) applies, as it does in Lambda.
  return { ...base, ...version.environment, ...reserved };
}

/**
 * The Node flags of a child: the heap is capped below the function's memory, as Lambda's runtime does, so a
 * function that outgrows its memory fails here too rather than only once deployed.
 */
export function lambdaNodeFlags(version: RunnableVersion): string[] {
  const maxOldSpaceMb = Math.max(16, Math.floor(version.memorySizeMb * 0.9));
  return [`--max-old-space-size=${maxOldSpaceMb}`];
}
