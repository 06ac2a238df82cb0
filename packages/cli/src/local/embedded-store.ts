import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { CheckpointStore } from '@durable/core';
import dynalite from 'dynalite';
import type { AppRuntime, DynamoDbClient } from './app-runtime.js';
import { lockFolder } from './folder-lock.js';

/** The app's folder for local state, beside its `package.json`. */
export const EMBEDDED_FOLDER = '.durable';

/** A store that is open, and how to let go of it. */
export interface OpenStore {
  store: CheckpointStore;
  /** Where the store is, for people: `.durable/` or `table T at URL`. */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens the app's embedded store: the same `DynamoDbStore` that
 * runs in Lambda, against dynalite running inside this process and keeping
 * its data under `<root>/.durable/`. Nothing else has to be started, and the
 * executions survive the process, so `run` with the same id resumes.
 *
 * @param command What this process does with it, shown to a second process that finds the folder in use.
 * @returns undefined when `create` is false and the app has no embedded store yet.
 */
export async function openEmbeddedStore(
  runtime: AppRuntime,
  root: string,
  options: { create: true; command: string },
): Promise<OpenStore>;
export async function openEmbeddedStore(
  runtime: AppRuntime,
  root: string,
  options: { create: false; command: string },
): Promise<OpenStore | undefined>;
export async function openEmbeddedStore(
  runtime: AppRuntime,
  root: string,
  options: { create: boolean; command: string },
): Promise<OpenStore | undefined> {
  const folder = path.join(root, EMBEDDED_FOLDER);
  if (!existsSync(folder)) {
    if (!options.create) return undefined;
    mkdirSync(folder, { recursive: true });
  }
  const lock = lockFolder(path.join(folder, 'lock'), folder, options.command);
  let server: Server | undefined;
  let client: DynamoDbClient | undefined;
  const close = async (): Promise<void> => {
    client?.destroy();
    if (server?.listening) await new Promise<void>((resolve) => server?.close(() => resolve()));
    lock.release();
  };
  try {
    server = dynalite({ path: path.join(folder, 'dynamodb'), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a port');
    client = new runtime.dynamoDb.DynamoDBClient({
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'local',
      // dynalite checks no signature, but the SDK signs every request and needs something to sign with.
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(runtime, client);
    const store = new runtime.core.DynamoDbStore({ client, tableName: runtime.core.DEFAULT_TABLE });
    return { store, description: `${EMBEDDED_FOLDER}/`, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Creates the table on first use; an existing one is what every later run finds. */
async function ensureTable(runtime: AppRuntime, client: DynamoDbClient): Promise<void> {
  try {
    await runtime.core.DynamoDbStore.createTable(client, runtime.core.DEFAULT_TABLE);
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
}
