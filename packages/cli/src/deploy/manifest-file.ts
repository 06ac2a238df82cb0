import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DeploymentInfo, Manifest } from '@durable/codegen';
import { DeployError } from './deploy-error.js';

/**
 * Reads `generated/manifest.json`.
 *
 * @throws DeployError `NO_MANIFEST` when it is missing or is not a manifest.
 */
export function readManifestFile(manifestPath: string): Manifest {
  if (!existsSync(manifestPath)) {
    throw new DeployError(
      'NO_MANIFEST',
      `${manifestPath} does not exist: run \`durable-gen generate\` and \`durable-gen bundle\` first, then deploy`,
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    throw new DeployError(
      'NO_MANIFEST',
      `${manifestPath} is not valid JSON (${(error as Error).message}): run \`durable-gen generate\` to rewrite it`,
      { cause: error },
    );
  }
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.services !== 'object') {
    throw new DeployError(
      'NO_MANIFEST',
      `${manifestPath} has no "services": run \`durable-gen generate\` to rewrite it`,
    );
  }
  return manifest;
}

/**
 * Records one service's deployment in the manifest on disk, leaving the rest
 * of it as it is there. Written to a temporary file and renamed over the
 * manifest: a deploy that dies halfway leaves a whole manifest that records
 * exactly the services already live, never a torn file.
 */
export function recordDeployment(manifestPath: string, service: string, deployment: DeploymentInfo): Manifest {
  const manifest = readManifestFile(manifestPath);
  const entry = manifest.services[service];
  if (entry === undefined) {
    throw new DeployError(
      'NO_MANIFEST',
      `${manifestPath} no longer lists service '${service}' (was it generated again meanwhile?): deploy again`,
    );
  }
  entry.deployment = deployment;
  const temporary = `${manifestPath}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(temporary, manifestPath);
  } finally {
    rmSync(temporary, { force: true });
  }
  return manifest;
}
