import { ACCOUNT_ID_PATTERN } from '@durable/core';
import { invalidParameter } from './lambda-error.js';
import { type Body, optionalInteger, optionalString, optionalStringMap } from './request-params.js';
import { RESERVED_ENVIRONMENT_KEYS } from './runtime/lambda-environment.js';

/**
 * The settings CreateFunction and UpdateFunctionConfiguration share, checked
 * as Lambda checks them; what this local API cannot honour (layers, images,
 * other languages) is refused instead of silently ignored.
 */
export interface FunctionSettings {
  runtime?: string;
  role?: string;
  handler?: string;
  description?: string;
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
}

const RESERVED_VARIABLES = new Set(RESERVED_ENVIRONMENT_KEYS);

/** Lambda's limit on a function's variables, names and values together. */
const MAX_ENVIRONMENT_BYTES = 4 * 1024;

/** The settings a request body carries; absent members stay undefined. */
export function readSettings(body: Body): FunctionSettings {
  const settings: FunctionSettings = {};
  const runtime = optionalString(body, 'Runtime');
  if (runtime !== undefined) settings.runtime = requireNodeRuntime(runtime);
  const role = optionalString(body, 'Role');
  if (role !== undefined) settings.role = requireRole(role);
  const handler = optionalString(body, 'Handler');
  if (handler !== undefined) settings.handler = requireHandler(handler);
  const description = optionalString(body, 'Description');
  if (description !== undefined) settings.description = description;
  const timeout = optionalInteger(body, 'Timeout', 1, 900);
  if (timeout !== undefined) settings.timeout = timeout;
  const memorySize = optionalInteger(body, 'MemorySize', 128, 10_240);
  if (memorySize !== undefined) settings.memorySize = memorySize;
  const environment = readEnvironment(body.Environment);
  if (environment !== undefined) settings.environment = environment;
  const layers = body.Layers;
  if (Array.isArray(layers) && layers.length > 0) {
    throw invalidParameter('durable-gen dev does not run layers: bundle what the function needs into its zip.');
  }
  if (body.DurableConfig !== undefined && body.DurableConfig !== null) {
    // Hosting one faithfully means the durable execution service itself (checkpoints, replay, waits, callbacks):
    // a look-alike would pass tests that AWS fails. The SDK's own test runner is that service, locally.
    throw invalidParameter(
      'durable-gen dev does not host Lambda durable functions (DurableConfig): test a lambda-durable service with ' +
        "the durable functions SDK's LocalDurableTestRunner (@aws/durable-execution-sdk-js-testing), and deploy it " +
        'to AWS; services on the dynamodb backend run on dev.',
    );
  }
  return settings;
}

/** `Architectures`: one of Lambda's two; the code runs on this machine either way. */
export function readArchitectures(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 1 || (value[0] !== 'x86_64' && value[0] !== 'arm64')) {
    throw invalidParameter("Architectures must be ['x86_64'] or ['arm64'].");
  }
  return [value[0]];
}

function requireNodeRuntime(runtime: string): string {
  if (!/^nodejs\d+\.x$/.test(runtime)) {
    throw invalidParameter(
      `durable-gen dev runs Node.js functions only (Runtime nodejs22.x and the like), not '${runtime}'.`,
    );
  }
  return runtime;
}

function requireRole(role: string): string {
  const [, account, name] = /^arn:aws[a-zA-Z-]*:iam::([^:]*):role\/?([a-zA-Z_0-9+=,.@\-/]+)$/.exec(role) ?? [];
  if (account === undefined || name === undefined || !ACCOUNT_ID_PATTERN.test(account)) {
    throw invalidParameter(`Role '${role}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME).`);
  }
  return role;
}

/** `file.export`, the file possibly in a folder: what the Node.js runtime imports and calls. */
function requireHandler(handler: string): string {
  if (!/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(handler)) {
    throw invalidParameter(`Handler '${handler}' is not FILE.EXPORT (e.g. index.handler).`);
  }
  return handler;
}

function readEnvironment(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter('Environment must be an object.');
  // Environment without Variables clears them, as in Lambda.
  const variables = optionalStringMap((value as { Variables?: unknown }).Variables, 'Environment.Variables') ?? {};
  const reserved = Object.keys(variables).filter((name) => RESERVED_VARIABLES.has(name));
  if (reserved.length > 0) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have ' +
        'provided contains reserved keys that are currently not supported for modification. Reserved keys used ' +
        `in this request: ${reserved.join(', ')}`,
    );
  }
  const bytes = Object.entries(variables).reduce(
    (sum, [name, item]) => sum + Buffer.byteLength(name) + Buffer.byteLength(item),
    0,
  );
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have ' +
        `provided exceeded the 4KB limit (${bytes} bytes).`,
    );
  }
  return variables;
}
