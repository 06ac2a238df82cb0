import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_VERSION, targetArnProblem } from '@durable/core';
import { check } from './check.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { emitClient } from './emit/client.js';
import { emitHandler } from './emit/handler.js';
import { emitPolicy, type Placement } from './emit/iam.js';
import { type Manifest, manifestEntry } from './emit/manifest.js';
import type { AppModel, ServiceModel } from './model.js';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** The app's root folder. */
  root: string;
  /** Source files or globs, relative to `root`. */
  paths: readonly string[];
  /** Output folder, relative to `root` (default `generated`). */
  outDir?: string;
  /** Account and region for services whose decorator names none. */
  account?: string;
  region?: string;
  /** Checkpoint table, for services whose decorator names none (default `durable-executions`). */
  table?: string;
  /** The @durable/core version handlers assert (default: the installed one). */
  coreVersion?: string;
  /** Compute everything but write nothing. */
  dryRun?: boolean;
}

export interface GenerateResult {
  model: AppModel;
  diagnostics: Diagnostic[];
  /** Files written (or that would be), relative to `root`, with their content. Empty when there are errors. */
  files: Map<string, string>;
}

export const DEFAULT_TABLE = 'durable-executions';
const GENERATOR = 'durable-gen 0.1.0';

/**
 * Scans the app and writes, under `outDir`: `handlers/<service>.ts`,
 * `clients/<service>.ts`, `iam/<service>.json` and `manifest.json`. Deterministic: sorted, stable names, no timestamps. With any error
 * diagnostic it writes nothing at all.
 */
export function generate(options: GenerateOptions): GenerateResult {
  const root = path.resolve(options.root);
  const outDir = (options.outDir ?? 'generated').split(path.sep).join('/').replace(/\/$/, '');
  // The lint runs first: generate refuses to emit code that would not replay.
  const { model, diagnostics } = check({
    root,
    paths: options.paths,
    ...(options.account === undefined ? {} : { account: options.account }),
  });
  const coreVersion = options.coreVersion ?? CORE_VERSION;
  const placements = new Map<string, Placement>();
  for (const service of model.services) {
    const account = service.account ?? options.account;
    const region = service.region ?? options.region;
    if (account === undefined || region === undefined) {
      diagnostics.push({
        ...service.location,
        code: 'missing-placement',
        severity: 'error',
        message: `${service.className} has no ${account === undefined ? 'account' : 'region'}: pass --${account === undefined ? 'account' : 'region'} to generate, or set it in @DurableService({ ... }).`,
      });
      continue;
    }
    placements.set(service.name, { account, region, table: service.table ?? options.table ?? DEFAULT_TABLE });
  }
  const files = new Map<string, string>();
  if (hasErrors(diagnostics)) return { model, diagnostics: sortDiagnostics(diagnostics), files };

  const manifestPath = path.join(root, outDir, 'manifest.json');
  const previous = readPreviousManifest(manifestPath, `${outDir}/manifest.json`, diagnostics);
  if (hasErrors(diagnostics)) return { model, diagnostics: sortDiagnostics(diagnostics), files };
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const services = [...model.services].sort((a, b) => a.name.localeCompare(b.name));
  const manifest: Manifest = { generatedBy: GENERATOR, coreVersion, services: {} };
  for (const service of services) {
    const placement = placements.get(service.name)!;
    const entry = manifestEntry(service, placement, coreVersion, previous?.services[service.name]);
    manifest.services[service.name] = entry;
    const targets = entry.invokes.map((name) => {
      const deployment = checkedDeployment(previous, name, placement.account, `${outDir}/manifest.json`, diagnostics);
      return {
        service: byName.get(name) as ServiceModel,
        ...(deployment == null ? {} : { publishedVersion: deployment.publishedVersion }),
      };
    });
    files.set(`${outDir}/handlers/${service.name}.ts`, emitHandler(service, outDir, coreVersion));
    files.set(
      `${outDir}/clients/${service.name}.ts`,
      emitClient(
        service,
        outDir,
        checkedDeployment(previous, service.name, placement.account, `${outDir}/manifest.json`, diagnostics)
          ?.qualifiedArn,
      ),
    );
    files.set(
      `${outDir}/iam/${service.name}.json`,
      `${JSON.stringify(emitPolicy(service, placement, targets), null, 2)}\n`,
    );
  }
  files.set(`${outDir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  if (hasErrors(diagnostics)) return { model, diagnostics: sortDiagnostics(diagnostics), files: new Map() };

  if (!options.dryRun) {
    // Files of services that no longer exist must not linger: the folders are the generator's own.
    for (const folder of ['handlers', 'clients', 'iam'])
      rmSync(path.join(root, outDir, folder), { recursive: true, force: true });
    for (const [file, content] of files) {
      const target = path.join(root, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
  return { model, diagnostics: sortDiagnostics(diagnostics), files };
}

/** The manifest a previous generate (and bundle, deploy) wrote, if any; a diagnostic when it cannot be read. */
function readPreviousManifest(file: string, relative: string, diagnostics: Diagnostic[]): Manifest | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (typeof manifest !== 'object' || manifest === null || typeof manifest.services !== 'object') {
      throw new Error('it has no "services" object');
    }
    return manifest;
  } catch (error) {
    diagnostics.push({
      file: relative,
      line: 1,
      column: 1,
      code: 'corrupt-manifest',
      severity: 'error',
      message: `The existing manifest cannot be read (${(error as Error).message}): fix it, or delete it to start over (bundle and deploy records are then lost).`,
    });
    return undefined;
  }
}

/** A service's recorded deployment, refused (with a diagnostic) when its ARN is unqualified, $LATEST or elsewhere. */
function checkedDeployment(
  manifest: Manifest | undefined,
  service: string,
  account: string,
  relative: string,
  diagnostics: Diagnostic[],
): { publishedVersion: string; qualifiedArn: string } | undefined {
  const deployment = manifest?.services[service]?.deployment;
  if (deployment == null) return undefined;
  const problem = targetArnProblem(deployment.qualifiedArn, account);
  if (problem === undefined) return deployment;
  if (!diagnostics.some((d) => d.code === problem.kind && d.message.includes(`'${service}'`))) {
    diagnostics.push({
      file: relative,
      line: 1,
      column: 1,
      code: problem.kind,
      severity: 'error',
      message: `The manifest's deployment of '${service}': ${problem.message}. Deploy a published version again, or fix manifest.json.`,
    });
  }
  return undefined;
}
