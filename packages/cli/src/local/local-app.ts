import type { ServiceModel } from '@durable/codegen';
import type { CheckpointStore } from '@durable/core';
import type { Output } from '../output.js';
import { type AppRuntime, loadAppRuntime } from './app-runtime.js';
import { type OpenStore, openEmbeddedStore } from './embedded-store.js';
import { type LoadedService, loadServices } from './load-services.js';

/** The app, ready to run here: its code loaded, its embedded store open. */
export interface LocalApp {
  /** The app's folder. */
  root: string;
  runtime: AppRuntime;
  store: CheckpointStore;
  /** Every service the scanner found. */
  services: readonly ServiceModel[];
  /** Those whose class could be loaded: they run in this process, invoked ones included. */
  loaded: readonly LoadedService[];
}

/** What {@link withLocalApp} opens. */
export interface LocalAppOptions {
  /** The services the scanner found. */
  services: readonly ServiceModel[];
  /** The service that is about to run: it must load, the others may be skipped with a note. */
  required: ServiceModel | undefined;
  /** The app's tsconfig, for tsx (checked by `requireLegacyDecorators`). */
  tsconfig: string;
  /** What this process does, shown to a second process that finds the store in use. */
  command: string;
}

/**
 * Loads the app's services into this process, opens its embedded store
 * (creating it on first use), runs `use`, and closes both whatever happens:
 * the one way `run` and the resume after `callbacks complete` get at the app.
 */
export async function withLocalApp<T>(
  root: string,
  options: LocalAppOptions,
  output: Output,
  use: (app: LocalApp) => Promise<T>,
): Promise<T> {
  const runtime = await loadAppRuntime(root, { tsconfig: options.tsconfig });
  let opened: OpenStore | undefined;
  try {
    const loaded = await loadServices(runtime, root, options.services, options.required, (skipped, reason) =>
      output.note(output.stderr.yellow(`note  ${reason}: ${skipped.name} cannot be invoked in this run.`)),
    );
    opened = await openEmbeddedStore(runtime, root, { create: true, command: options.command });
    return await use({ root, runtime, store: opened.store, services: options.services, loaded });
  } finally {
    await opened?.close();
    await runtime.close();
  }
}
