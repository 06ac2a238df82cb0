import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest, ManifestService } from '@durable/codegen';
import { DeployError } from './deploy-error.js';

/**
 * What deploy keeps of what it deployed: `<generated>/deployed/<service>.json`, the manifest entry of the service
 * as it went live (its workflows' operation schemas included), committed with the app. `durable-gen diff`
 * compares the working tree against it by default, and the next deploy tells from it what its new version changes
 * for executions still running on this one. Each file is a whole manifest holding that one service, so any tool
 * that reads a manifest reads it.
 */

/** The folder of the deployed schemas, under the generated folder. */
export const DEPLOYED_FOLDER = 'deployed';

/** `<root>/<generatedDir>/deployed/<service>.json`. */
export function deployedSchemaPath(root: string, generatedDir: string, service: string): string {
  return path.resolve(root, generatedDir, DEPLOYED_FOLDER, `${service}.json`);
}

/**
 * Keeps `entry` as the service's deployed schema. Written to a temporary file and renamed over the old one: a
 * deploy that dies halfway leaves the previous file whole.
 */
export function writeDeployedSchema(
  root: string,
  generatedDir: string,
  manifest: Pick<Manifest, 'generatedBy' | 'coreVersion'>,
  service: string,
  entry: ManifestService,
): string {
  const file = deployedSchemaPath(root, generatedDir, service);
  mkdirSync(path.dirname(file), { recursive: true });
  const deployed: Manifest = {
    generatedBy: manifest.generatedBy,
    coreVersion: manifest.coreVersion,
    services: { [service]: entry },
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(deployed, null, 2)}\n`);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
  return file;
}

/** The deployed schema of one service, or undefined when it was never deployed from this app. */
export function readDeployedSchema(root: string, generatedDir: string, service: string): Manifest | undefined {
  const file = deployedSchemaPath(root, generatedDir, service);
  if (!existsSync(file)) return undefined;
  return parseDeployed(file, readFileSync(file, 'utf8'), service);
}

/**
 * Every deployed schema of the app as one manifest (the services of all `deployed/*.json`), or undefined when
 * nothing was deployed from it yet.
 */
export function readDeployedManifest(root: string, generatedDir: string): Manifest | undefined {
  const folder = path.resolve(root, generatedDir, DEPLOYED_FOLDER);
  if (!existsSync(folder)) return undefined;
  const files = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (files.length === 0) return undefined;
  const merged: Manifest = { generatedBy: '', coreVersion: '', services: {} };
  for (const name of files) {
    const file = path.join(folder, name);
    const one = parseDeployed(file, readFileSync(file, 'utf8'), name.slice(0, -'.json'.length));
    merged.generatedBy ||= one.generatedBy;
    merged.coreVersion ||= one.coreVersion;
    Object.assign(merged.services, one.services);
  }
  return merged;
}

function parseDeployed(file: string, text: string, service: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DeployError(
      'NO_MANIFEST',
      `${file} is not valid JSON (${(error as Error).message}): restore it from version control, or delete it ` +
        '(the next deploy writes it again, and compares against nothing until then)',
      { cause: error },
    );
  }
  const services = (parsed as Partial<Manifest> | null)?.services;
  if (typeof services !== 'object' || services === null || typeof services[service] !== 'object') {
    throw new DeployError(
      'NO_MANIFEST',
      `${file} does not hold service '${service}': restore it from version control, or delete it (the next deploy ` +
        'writes it again)',
    );
  }
  return parsed as Manifest;
}
