import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest, ManifestService } from '@durable/codegen';
import { DeployError } from './deploy-error.js';
import { readManifestFile } from './manifest-file.js';

/** What {@link planDeploy} needs: the app, its generated folder, the services asked for. */
export interface PlanOptions {
  /** The app's root folder. */
  root: string;
  /** The folder `generate` wrote, relative to `root`. */
  generatedDir: string;
  /** Only these services (default: all of the manifest). */
  services?: readonly string[] | undefined;
  /** The Lambda API deployed to, when not AWS's (recorded deployments must be of the same one). */
  endpoint?: string | undefined;
}

/** One service to deploy, its zip read and checked against the manifest. */
export interface PlannedService {
  name: string;
  entry: ManifestService;
  /** The zip's bytes: exactly the ones whose sha256 was checked. */
  zip: Uint8Array;
  /** The zip as the user sees it, relative to the app. */
  zipPath: string;
  /** Hex sha256 of `zip` (the manifest's form). */
  sha256: string;
}

/** What to deploy, in the order to deploy it. */
export interface DeployPlan {
  manifestPath: string;
  manifest: Manifest;
  /** Callees before their callers. */
  services: PlannedService[];
  /** Qualified ARNs of callees not deployed in this run, as the manifest recorded them. */
  recordedTargets: Map<string, string>;
}

/**
 * Everything deploy checks before it calls any API: the manifest, the names
 * asked for, each service's zip (present, and the very bytes `bundle`
 * recorded), the order (callees first; a cycle cannot be deployed) and a
 * recorded deployment for every callee this run does not deploy. All
 * services are checked before the first problem is reported, so one run
 * names every zip to rebuild.
 *
 * @throws DeployError `NO_MANIFEST`, `UNKNOWN_SERVICE`, `NOT_BUNDLED`, `ZIP_MISSING`, `ZIP_CHANGED`,
 *   `UNKNOWN_CALLEE`, `INVOKE_CYCLE` or `CALLEE_NOT_DEPLOYED`.
 */
export function planDeploy(options: PlanOptions): DeployPlan {
  const manifestPath = path.resolve(options.root, options.generatedDir, 'manifest.json');
  const manifest = readManifestFile(manifestPath);
  const names = selectServices(manifest, options.services, display(options.root, manifestPath));
  const services = checkBundles(options.root, manifest, names);
  const order = calleesFirst(manifest, names);
  const recordedTargets = recordedCalleeTargets(manifest, names, options.endpoint);
  const byName = new Map(services.map((service) => [service.name, service]));
  return { manifestPath, manifest, services: order.map((name) => byName.get(name)!), recordedTargets };
}

function selectServices(manifest: Manifest, wanted: readonly string[] | undefined, manifestPath: string): string[] {
  const known = Object.keys(manifest.services).sort();
  if (wanted === undefined || wanted.length === 0) return known;
  const unknown = [...new Set(wanted)].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new DeployError(
      'UNKNOWN_SERVICE',
      `${manifestPath} has no service ${unknown.map((n) => `'${n}'`).join(', ')} (it has: ${known.join(', ') || 'none'}): ` +
        'check the name, or run `durable-gen generate` and `durable-gen bundle` if the service is new',
    );
  }
  return known.filter((name) => wanted.includes(name));
}

function checkBundles(root: string, manifest: Manifest, names: readonly string[]): PlannedService[] {
  const services: PlannedService[] = [];
  const problems: { code: 'NOT_BUNDLED' | 'ZIP_MISSING' | 'ZIP_CHANGED'; message: string }[] = [];
  for (const name of names) {
    const entry = manifest.services[name]!;
    const { bundle } = entry;
    if (bundle == null) {
      problems.push({ code: 'NOT_BUNDLED', message: `service '${name}' has no bundle in the manifest` });
      continue;
    }
    const zipFile = path.resolve(root, bundle.zip);
    if (!existsSync(zipFile)) {
      problems.push({ code: 'ZIP_MISSING', message: `${bundle.zip} of service '${name}' does not exist` });
      continue;
    }
    const zip = new Uint8Array(readFileSync(zipFile));
    const sha256 = createHash('sha256').update(zip).digest('hex');
    if (sha256 !== bundle.sha256) {
      problems.push({
        code: 'ZIP_CHANGED',
        message:
          `${bundle.zip} of service '${name}' is not the zip the manifest recorded ` +
          `(sha256 ${sha256.slice(0, 12)}… on disk, ${bundle.sha256.slice(0, 12)}… recorded)`,
      });
      continue;
    }
    services.push({ name, entry, zip, zipPath: bundle.zip, sha256 });
  }
  const [first] = problems;
  if (first !== undefined) {
    throw new DeployError(
      first.code,
      `${problems.map((p) => p.message).join('; ')}: run \`durable-gen bundle\`, then deploy again (nothing was deployed)`,
    );
  }
  return services;
}

/**
 * The selected services ordered so that each comes after every selected
 * service it invokes (its environment holds their version ARNs); ties in
 * name order, so the same manifest always deploys in the same order.
 */
function calleesFirst(manifest: Manifest, names: readonly string[]): string[] {
  const selected = new Set(names);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: readonly string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new DeployError(
        'INVOKE_CYCLE',
        `services invoke each other in a cycle (${cycle.join(' → ')}): each needs the other's published version ` +
          'before it can be deployed; break the cycle in the code, or deploy them one at a time with --service',
      );
    }
    state.set(name, 'visiting');
    for (const callee of [...manifest.services[name]!.invokes].sort()) {
      if (manifest.services[callee] === undefined) {
        throw new DeployError(
          'UNKNOWN_CALLEE',
          `service '${name}' invokes '${callee}', which the manifest does not have: run \`durable-gen generate\` again`,
        );
      }
      if (selected.has(callee)) visit(callee, [...trail, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return order;
}

function recordedCalleeTargets(
  manifest: Manifest,
  names: readonly string[],
  endpoint: string | undefined,
): Map<string, string> {
  const selected = new Set(names);
  const targets = new Map<string, string>();
  for (const name of names) {
    for (const callee of manifest.services[name]!.invokes) {
      if (selected.has(callee) || targets.has(callee)) continue;
      const deployment = manifest.services[callee]?.deployment;
      const fix = `deploy it too (add --service ${callee}, or leave out --service)`;
      if (deployment == null) {
        throw new DeployError(
          'CALLEE_NOT_DEPLOYED',
          `service '${name}' invokes '${callee}', which has no recorded deployment: ${fix}`,
        );
      }
      if (deployment.endpoint !== endpoint) {
        throw new DeployError(
          'CALLEE_NOT_DEPLOYED',
          `service '${name}' invokes '${callee}', whose recorded deployment is on ${where(deployment.endpoint)}, ` +
            `not ${where(endpoint)}: ${fix}`,
        );
      }
      targets.set(callee, deployment.qualifiedArn);
    }
  }
  return targets;
}

function where(endpoint: string | undefined): string {
  return endpoint === undefined ? 'AWS' : endpoint;
}

/** `file` as the user sees it: relative to the app root, `/`-separated. */
function display(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
