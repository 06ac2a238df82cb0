import path from 'node:path';
import type { ServiceModel } from '@durable/codegen';
import type { ServiceClass } from '@durable/core';
import { CliError } from '../cli-error.js';
import type { AppRuntime } from './app-runtime.js';

/** A service the scanner found, with its class as the app's code defines it. */
export interface LoadedService {
  model: ServiceModel;
  serviceClass: ServiceClass;
}

/**
 * Imports the source of every service the scanner found (each file once) and
 * picks out the decorated classes, so that all of them can run in one
 * process: a workflow that invokes another service runs it right here.
 *
 * A class must be exported to be found. The class asked for (`required`)
 * fails loudly when it is not; another one is reported through `onSkipped`
 * (a run that never invokes it does not need it). With no `required` (the
 * service to run is not known yet), every one may be skipped.
 */
export async function loadServices(
  runtime: AppRuntime,
  root: string,
  services: readonly ServiceModel[],
  required: ServiceModel | undefined,
  onSkipped: (service: ServiceModel, reason: string) => void,
): Promise<LoadedService[]> {
  const modules = new Map<string, Record<string, unknown>>();
  const loaded: LoadedService[] = [];
  for (const service of services) {
    let module = modules.get(service.source);
    if (module === undefined) {
      try {
        module = await runtime.importSource(path.join(root, service.source));
      } catch (error) {
        throw new CliError(`Could not load ${service.source}: ${(error as Error).message}`, undefined, {
          cause: error,
        });
      }
      modules.set(service.source, module);
    }
    const serviceClass = module[service.className];
    if (typeof serviceClass !== 'function') {
      const reason = `${service.source} does not export class ${service.className}; add \`export\` to run it locally`;
      if (service === required) throw new CliError(`${reason}.`);
      onSkipped(service, reason);
      continue;
    }
    loaded.push({ model: service, serviceClass: serviceClass as ServiceClass });
  }
  return loaded;
}
