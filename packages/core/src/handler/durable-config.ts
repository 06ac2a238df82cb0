import { type ServiceDefinition, serviceDefinition } from '../decorators/metadata.js';
import { ConfigurationError } from '../errors.js';
import type { HandlerOptions, ServiceClass } from './create-handler.js';

/**
 * The app's own file of handler options, relative to its root: when it exists at `durable-gen generate`, every
 * generated handler imports its default export.
 */
export const DURABLE_CONFIG_FILE = 'src/durable.config.ts';

/** The {@link HandlerOptions} an app may set for its generated (deployed) handlers. */
export const DEPLOYED_HANDLER_OPTION_NAMES = [
  'logger',
  'observer',
  'maxPayloadBytes',
  'leaseMs',
  'maxInProcessWaitMs',
  'pipelineCheckpoints',
] as const satisfies readonly (keyof HandlerOptions)[];

/** Options of a generated handler that come from `src/durable.config.ts`. */
export type DeployedHandlerOptions = Pick<HandlerOptions, (typeof DEPLOYED_HANDLER_OPTION_NAMES)[number]>;

/** What `src/durable.config.ts` exports by default: see {@link defineDurableConfig}. */
export interface DurableConfig {
  /**
   * `createHandler` options of every generated handler, or a function of the service that returns them (to give
   * one service other options than the rest).
   */
  handler?: DeployedHandlerOptions | ((service: ServiceDefinition) => DeployedHandlerOptions);
}

/**
 * Declares the app's options for its deployed handlers, in `src/durable.config.ts`:
 * `export default defineDurableConfig({ handler: { logger, maxPayloadBytes: 512 * 1024 } })`. Returns `config`
 * as it is; it exists so the file is type-checked. The table and the invoker are not among them: `generate`
 * writes them into each handler, to match its IAM policy.
 */
export function defineDurableConfig(config: DurableConfig): DurableConfig {
  return config;
}

/** Why a key of the config is refused, for keys that are options of createHandler but not the app's to set. */
const GENERATED_OPTIONS: Record<string, string> = {
  table:
    'the table is written into each generated handler, to match its IAM policy: name it in ' +
    '@DurableService({ table }) or pass durable-gen generate --table',
  store:
    'a generated handler keeps its journal in the generated table, the only one its IAM policy allows: for ' +
    'another store, write the handler yourself with createHandler',
  invoker: 'a generated handler invokes other services with LambdaInvoker, over their qualified ARNs',
  backend: 'the backend is a service option: @DurableService({ backend })',
  now: 'a deployed handler runs on the real clock (the option is for tests)',
  leaseOwner: 'a deployed handler names each invocation itself (the option is for local tools)',
};

/**
 * The options `config` (the default export of `src/durable.config.ts`) gives the generated handler of `service`.
 * Throws a `ConfigurationError` for anything else than a {@link DurableConfig}, naming the key and the fix: a
 * misspelled option must not be dropped without a word.
 */
export function configuredHandlerOptions(config: unknown, service: ServiceClass): DeployedHandlerOptions {
  const definition = serviceDefinition(service);
  const where = `${DURABLE_CONFIG_FILE} (read by the generated handler of '${definition.name}')`;
  if (typeof config !== 'object' || config === null) {
    throw new ConfigurationError(
      `${where} must \`export default defineDurableConfig({ handler: { ... } })\`; its default export is ${describe(config)}.`,
    );
  }
  for (const key of Object.keys(config)) {
    if (key !== 'handler') {
      throw new ConfigurationError(`${where}: unknown key '${key}'; the config takes 'handler' only.`);
    }
  }
  const { handler } = config as DurableConfig;
  const options = typeof handler === 'function' ? handler(definition) : handler;
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(
      `${where}: 'handler' must be an object of createHandler options (or a function returning one), not ${describe(options)}.`,
    );
  }
  const allowed: readonly string[] = DEPLOYED_HANDLER_OPTION_NAMES;
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const why = GENERATED_OPTIONS[key];
    throw new ConfigurationError(
      why === undefined
        ? `${where}: unknown handler option '${key}'. It takes: ${allowed.join(', ')}.`
        : `${where}: handler option '${key}' cannot be set here: ${why}.`,
    );
  }
  return options;
}

function describe(value: unknown): string {
  return value === null || value === undefined ? String(value) : `a ${typeof value} (${String(value)})`;
}
