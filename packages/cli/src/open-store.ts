import type { Argv } from 'yargs';
import type { CommandContext } from './command.js';
import { type AppRuntime, loadAppRuntime } from './local/app-runtime.js';
import { EMBEDDED_FOLDER, type OpenStore, openEmbeddedStore } from './local/embedded-store.js';
import { isLoopback, localCredentials } from './local-endpoint.js';

/** Where `executions` and `callbacks` read: the app's embedded store, or a DynamoDB table. */
export interface StoreOptions {
  table?: string;
  endpoint?: string;
  region?: string;
}

/** Adds `--table`, `--endpoint` and `--region` to a command that reads a store. */
export function withStoreOptions<T>(yargs: Argv<T>): Argv<T & StoreOptions> {
  return yargs
    .option('table', {
      type: 'string',
      describe: `A DynamoDB checkpoint table instead of the app's embedded store (${EMBEDDED_FOLDER}/)`,
    })
    .option('endpoint', {
      type: 'string',
      describe:
        "DynamoDB endpoint URL of --table, e.g. a local server (without --table: @durable/core's DEFAULT_TABLE)",
    })
    .option('region', { type: 'string', describe: 'AWS region of --table (default: AWS_REGION)' })
    .group(['table', 'endpoint', 'region'], 'Store:') as Argv<T & StoreOptions>;
}

/**
 * Opens the store the options name: a DynamoDB table when `--table` or
 * `--endpoint` is given (credentials and region from the usual AWS
 * configuration), else the app's embedded store.
 *
 * @returns undefined when the app has no embedded store yet (nothing ever ran).
 */
export async function openStore(
  runtime: AppRuntime,
  root: string,
  options: StoreOptions,
  command: string,
): Promise<OpenStore | undefined> {
  if (!isTableStore(options)) {
    return openEmbeddedStore(runtime, root, { create: false, command });
  }
  const tableName = options.table ?? runtime.core.DEFAULT_TABLE;
  const client = new runtime.dynamoDb.DynamoDBClient({
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.region === undefined ? {} : { region: options.region }),
    // A server on this machine checks no signature and has no region: spare people configuring either for it.
    ...(isLoopback(options.endpoint) ? localDefaults(options.region) : {}),
  });
  return {
    store: new runtime.core.DynamoDbStore({ client, tableName }),
    description: `table ${tableName}${options.endpoint === undefined ? '' : ` at ${options.endpoint}`}`,
    close: async () => client.destroy(),
  };
}

/**
 * Opens the store the options name, runs `use`, and closes it again whatever
 * happens: for commands that read or write a store without running the
 * app's code. An app where nothing ran yet has no embedded store: `use` gets
 * undefined rather than a store created just to be read.
 */
export async function withOpenStore<T>(
  context: CommandContext,
  options: StoreOptions,
  command: string,
  use: (opened: OpenStore | undefined, runtime: AppRuntime) => Promise<T>,
): Promise<T> {
  const runtime = await loadAppRuntime(context.cwd, { tsconfig: false });
  try {
    const opened = await openStore(runtime, context.cwd, options, command);
    try {
      return await use(opened, runtime);
    } finally {
      await opened?.close();
    }
  } finally {
    await runtime.close();
  }
}

/** True when the options name a DynamoDB table rather than the app's embedded store. */
export function isTableStore(options: StoreOptions): boolean {
  return options.table !== undefined || options.endpoint !== undefined;
}

function localDefaults(region: string | undefined): {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
} {
  return {
    ...(region === undefined && process.env.AWS_REGION === undefined ? { region: 'us-east-1' } : {}),
    ...localCredentials(),
  };
}
