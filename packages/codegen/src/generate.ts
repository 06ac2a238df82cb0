import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_VERSION } from '@durable/core';
import { type CheckOptions, check } from './check.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from './diagnostics.js';
import { emitClient } from './emit/client.js';
import { emitHandler } from './emit/handler.js';
import { findHandlerConfig } from './emit/handler-config.js';
import { emitCallbacksPolicy, emitPolicy } from './emit/iam.js';
import { type Manifest, type ManifestService, manifestEntry } from './emit/manifest.js';
import { writeGenerated } from './emit/write-generated.js';
import { pinnedDurableSdkVersion } from './lambda-durable/sdk-version.js';
import type { AppModel, ServiceModel } from './model.js';
import { diffManifests, type SchemaDiff } from './schema/diff.js';

export { DEFAULT_TABLE } from './manifest/placements.js';

/** Options of {@link generate}: those of {@link check}, and what to write. */
export interface GenerateOptions extends CheckOptions {
  /** The @durable/core version handlers assert (default: the installed one). */
  coreVersion?: string;
  /**
   * The `@aws/durable-execution-sdk-js` version handlers of `lambda-durable` services assert (default: the one the
   * installed @durable/core pins in its package.json).
   */
  durableSdkVersion?: string;
  /** Compute everything but write nothing. */
  dryRun?: boolean;
}

export interface GenerateResult {
  model: AppModel;
  diagnostics: Diagnostic[];
  /** Files written (or that would be), relative to `root`, with their content. Empty when there are errors. */
  files: Map<string, string>;
  /** The folder written, relative to `root`. */
  outDir: string;
  /**
   * What changed in the workflows' operation schemas since the manifest the last `generate` wrote, and whether
   * executions running on that code replay on this one. Absent when there was no manifest, or there are errors.
   */
  schemaDiff?: SchemaDiff;
}

/** Who wrote a manifest: this package, at its version. */
const GENERATOR = `durable-gen ${
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
}`;

/**
 * Scans the app and writes, under `outDir`: `handlers/<service>.ts`,
 * `clients/<service>.ts`, `iam/<service>.json` and `manifest.json`.
 * Deterministic: sorted, stable names, no timestamps. It refuses (writes
 * nothing at all) on every error {@link check} reports, and on a service
 * whose account or region is unknown. The manifest records the paths and
 * placement options it was given, so that later commands (and `generate`
 * itself) find the services again without repeating them.
 *
 * @throws SourcePathsError when the paths match no source file, or no `@DurableService`: nothing is written.
 */
export function generate(options: GenerateOptions): GenerateResult {
  const root = path.resolve(options.root);
  const checked = check({ ...options, root });
  const { model, outDir, previous, placements } = checked;
  const diagnostics = [...checked.diagnostics];
  for (const { service, missing } of placements.unplaced) {
    const flags = missing.map((what) => `--${what}`).join(' and ');
    diagnostics.push({
      ...service.location,
      code: 'missing-placement',
      severity: 'error',
      message: `${service.className} has no ${missing.join(' or ')}: pass ${flags} to generate, or set ${missing.join(' and ')} in @DurableService({ ... }).`,
    });
  }
  const refused = (): GenerateResult => ({
    model,
    diagnostics: sortDiagnostics(diagnostics),
    files: new Map(),
    outDir,
  });
  if (hasErrors(diagnostics)) return refused();

  const coreVersion = options.coreVersion ?? CORE_VERSION;
  const hasLambdaDurable = model.services.some((service) => service.backend === 'lambda-durable');
  // Read only when a service needs it: an app on the default backend never depends on the SDK's pin.
  const durableSdkVersion = options.durableSdkVersion ?? (hasLambdaDurable ? pinnedDurableSdkVersion() : '');
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const services = [...model.services].sort((a, b) => a.name.localeCompare(b.name));
  const manifest: Manifest = {
    generatedBy: GENERATOR,
    coreVersion,
    generateOptions: {
      paths: checked.paths.map((given) => portablePath(root, given)),
      ...checked.defaults,
    },
    services: {},
  };
  // The app's own handler options, imported by every generated handler when the file exists.
  const configFile = findHandlerConfig(root);
  const files = new Map<string, string>();
  const entries = new Map<string, ManifestService>();
  for (const service of services) {
    const placement = placements.byService.get(service.name)!;
    const entry = manifestEntry(
      service,
      placement,
      { coreVersion, durableSdkVersion },
      previous?.services[service.name],
    );
    entries.set(service.name, entry);
    const targets = entry.invokes.map((name) => byName.get(name) as ServiceModel);
    files.set(
      `${outDir}/handlers/${service.name}.ts`,
      emitHandler(service, { outDir, coreVersion, durableSdkVersion, table: placement.table, configFile }),
    );
    files.set(`${outDir}/clients/${service.name}.ts`, emitClient(service, outDir));
    files.set(
      `${outDir}/iam/${service.name}.json`,
      `${JSON.stringify(emitPolicy(service, placement, targets), null, 2)}\n`,
    );
    if (service.waitsForCallbacks === true) {
      files.set(
        `${outDir}/iam/${service.name}-callbacks.json`,
        `${JSON.stringify(emitCallbacksPolicy(service, placement), null, 2)}\n`,
      );
    }
  }
  for (const [name, entry] of entries) {
    // What goes into the service's zip: its handler and the stubs of the services it calls (IAM does not).
    const bundled = [
      `${outDir}/handlers/${name}.ts`,
      ...entry.invokes.map((target) => `${outDir}/clients/${target}.ts`),
    ];
    const inputs = new Map(bundled.map((file) => [file, files.get(file) ?? '']));
    manifest.services[name] = withoutStaleBundle(entry, previous?.services[name], root, inputs);
  }
  files.set(`${outDir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  const schemaDiff = previous === undefined ? undefined : diffManifests(previous, manifest);

  if (!options.dryRun) {
    // Files of services that no longer exist must not linger: these folders are the generator's own.
    writeGenerated(
      root,
      files,
      ['handlers', 'clients', 'iam'].map((folder) => path.join(outDir, folder)),
    );
  }
  return {
    model,
    diagnostics: sortDiagnostics(diagnostics),
    files,
    outDir,
    ...(schemaDiff === undefined ? {} : { schemaDiff }),
  };
}

/** A path as the manifest keeps it: relative to the app when it is inside it, so the manifest works in any clone. */
function portablePath(root: string, given: string): string {
  if (!path.isAbsolute(given)) return given;
  const relative = path.relative(root, given);
  return relative === ''
    ? '.'
    : relative.startsWith('..') || path.isAbsolute(relative)
      ? given
      : relative.split(path.sep).join('/');
}

/**
 * The entry with its bundle record dropped when the bundle no longer matches
 * what is generated: a changed manifest entry (steps, placement, invokes), or
 * a changed handler or stub that the zip holds. A zip built before must be
 * built again before anyone deploys it as this code.
 */
function withoutStaleBundle(
  entry: ManifestService,
  previous: ManifestService | undefined,
  root: string,
  serviceFiles: ReadonlyMap<string, string>,
): ManifestService {
  if (entry.bundle === null || previous === undefined) return entry;
  const described = (service: ManifestService): string =>
    JSON.stringify({ ...service, bundle: null, deployment: null });
  const filesChanged = [...serviceFiles].some(([file, content]) => {
    const absolute = path.join(root, file);
    return !existsSync(absolute) || readFileSync(absolute, 'utf8') !== content;
  });
  return described(entry) === described(previous) && !filesChanged ? entry : { ...entry, bundle: null };
}
