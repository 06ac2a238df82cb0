import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';
import { CliError } from '../cli-error.js';

/** `@durable/core` as the app loads it. */
export type CoreModule = typeof import('@durable/core');

/** The DynamoDB client type `DynamoDbStore` takes. */
export type DynamoDbClient = ConstructorParameters<CoreModule['DynamoDbStore']>[0]['client'];

/** What durable-gen needs of `@aws-sdk/client-dynamodb`: the client, built for an endpoint. */
export interface DynamoDbClientModule {
  DynamoDBClient: new (config: {
    endpoint?: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    maxAttempts?: number;
  }) => DynamoDbClient;
}

/**
 * The app's own copy of `@durable/core` (and of the AWS SDK it uses), and a
 * way to import the app's TypeScript sources into the same module graph.
 *
 * Why not the CLI's own `@durable/core`: `@Step` finds its execution through
 * an AsyncLocalStorage of the copy that decorated it. Sources imported
 * through tsx live in tsx's namespace, where `@durable/core` is another module
 * instance than a plain import of it; an engine from the CLI's copy would run
 * the app's steps without checkpointing them. So the engine, the store and
 * the services all come from one namespace.
 */
export interface AppRuntime {
  core: CoreModule;
  dynamoDb: DynamoDbClientModule;
  /** Imports an app source (absolute path), compiled by tsx with the app's tsconfig. */
  importSource(file: string): Promise<Record<string, unknown>>;
  /** Removes tsx's loader hooks. */
  close(): Promise<void>;
}

/** Options of {@link loadAppRuntime}. */
export interface AppRuntimeOptions {
  /** The tsconfig tsx compiles sources with; `false` when no source will be imported. */
  tsconfig: string | false;
}

/**
 * Loads `@durable/core` as the app at `root` resolves it, with tsx's loader
 * registered under a namespace of its own. When the app cannot resolve it (a
 * folder that is not an app, e.g. `executions --table` run anywhere), the
 * CLI's own copy is used: reading a store needs no decorated class.
 */
export async function loadAppRuntime(root: string, options: AppRuntimeOptions): Promise<AppRuntime> {
  const api = register({ namespace: `durable-gen-${process.pid}`, tsconfig: options.tsconfig });
  try {
    const appAnchor = path.join(root, 'package.json');
    const fromApp = resolvePackageJson(appAnchor, '@durable/core');
    const corePackageJson = fromApp ?? resolvePackageJson(fileURLToPath(import.meta.url), '@durable/core');
    if (corePackageJson === undefined) {
      throw new CliError('Cannot find @durable/core: install it in the app (npm install @durable/core).');
    }
    const parent = fromApp === undefined ? import.meta.url : pathToFileURL(appAnchor).href;
    const core = (await api.import('@durable/core', parent)) as CoreModule;
    // The SDK as core resolves it: the client must be of the copy core's commands come from.
    const dynamoDb = (await api.import(
      '@aws-sdk/client-dynamodb',
      pathToFileURL(corePackageJson).href,
    )) as DynamoDbClientModule;
    return {
      core,
      dynamoDb,
      importSource: async (file) => (await api.import(pathToFileURL(file).href, parent)) as Record<string, unknown>,
      close: () => api.unregister(),
    };
  } catch (error) {
    await api.unregister();
    throw error;
  }
}

/** The real path of `<name>/package.json` as seen from `anchor`, or undefined when it does not resolve. */
function resolvePackageJson(anchor: string, name: string): string | undefined {
  try {
    return createRequire(anchor).resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
}
