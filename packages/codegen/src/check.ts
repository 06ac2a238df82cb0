import path from 'node:path';
import { type Diagnostic, sortDiagnostics } from './diagnostics.js';
import type { Manifest } from './emit/manifest.js';
import { lint } from './lint/lint.js';
import { checkRecordedDeployments } from './manifest/deployments.js';
import { type PlacementDefaults, resolvePlacements, type ServicePlacements } from './manifest/placements.js';
import { normalizeOutDir, readPreviousManifest } from './manifest/previous-manifest.js';
import type { AppModel } from './model.js';
import { scan } from './scanner/scan.js';
import { SourcePathsError } from './sources/source-paths.js';

/** Where the services are looked for when neither the command line nor a previous generate names paths. */
export const DEFAULT_SOURCE_PATHS: readonly string[] = ['src'];

/** Options of {@link check}: the options of `generate`, which reports the same findings. */
export interface CheckOptions extends PlacementDefaults {
  root: string;
  /**
   * Files, folders or globs, relative to `root`. Default: the paths the last
   * `generate` into `outDir` was given (its manifest records them), else `src`.
   */
  paths?: readonly string[];
  /** The folder `generate` writes (default `generated`): its manifest supplies recorded paths and placement. */
  outDir?: string;
}

/** What {@link check} found, and what `generate` needs to emit it. */
export interface CheckResult {
  model: AppModel;
  /** Every finding, sorted by place. */
  diagnostics: Diagnostic[];
  /** The paths that were scanned (given, recorded, or the default). */
  paths: readonly string[];
  /** `outDir` normalized: relative to the root, with `/`. */
  outDir: string;
  /** The manifest the last `generate` wrote, when there is one and it reads. */
  previous: Manifest | undefined;
  /** Each service's account, region and table, and the services that lack one. */
  placements: ServicePlacements;
  /** The placement options applied: the given ones over the recorded ones (what `generate` records next). */
  defaults: PlacementDefaults;
}

/**
 * Everything `durable-gen check` reports, which is everything `generate`
 * refuses on: the scanner's findings (names, options, invoke targets, ARNs,
 * cross-account calls), the determinism lint over workflow code, and what the
 * previous manifest records (a deployment whose ARN cannot be invoked), with
 * the same placement options, or those the last `generate` recorded. Writes
 * nothing. A service whose account or region is unknown is listed in
 * `placements.unplaced`: `generate` refuses it, `check` says which rules it
 * could not apply.
 *
 * @throws SourcePathsError when the paths match no source file, or no `@DurableService`.
 */
export function check(options: CheckOptions): CheckResult {
  const root = path.resolve(options.root);
  const outDir = normalizeOutDir(options.outDir);
  const diagnostics: Diagnostic[] = [];
  const previous = readPreviousManifest(root, outDir, diagnostics);
  const recorded = previous === undefined ? undefined : recordedOptions(previous);
  const paths =
    options.paths !== undefined && options.paths.length > 0 ? options.paths : (recorded?.paths ?? DEFAULT_SOURCE_PATHS);
  const defaults: PlacementDefaults = {
    ...pick(recorded),
    ...pick(options),
  };
  const scanned = withDefaultPathsHint(
    () =>
      scan({
        root,
        paths,
        ...(defaults.account === undefined ? {} : { account: defaults.account }),
        ...(defaults.region === undefined ? {} : { region: defaults.region }),
      }),
    paths === DEFAULT_SOURCE_PATHS,
  );
  diagnostics.push(...scanned.diagnostics, ...lint(scanned.project, scanned.model));
  const placements = resolvePlacements(scanned.model.services, defaults);
  diagnostics.push(...checkRecordedDeployments(previous, placements, outDir));
  return {
    model: scanned.model,
    diagnostics: sortDiagnostics(diagnostics),
    paths,
    outDir,
    previous,
    placements,
    defaults,
  };
}

/** When the paths were not given, says so: "'src' matches nothing" alone would puzzle whoever named none. */
function withDefaultPathsHint<T>(run: () => T, defaulted: boolean): T {
  try {
    return run();
  } catch (error) {
    if (!defaulted || !(error instanceof SourcePathsError)) throw error;
    throw new SourcePathsError(
      error.code,
      `No paths given and no manifest of a previous generate, so src/ was searched: ${error.message}`,
      error.searched,
    );
  }
}

/**
 * What the last `generate` was given. Manifests from before it was recorded
 * still name each service's placement: an account or region all of them
 * share is taken as the default, so their apps keep working unchanged.
 */
function recordedOptions(manifest: Manifest): PlacementDefaults & { paths?: readonly string[] } {
  if (manifest.generateOptions !== undefined) return manifest.generateOptions;
  const services = Object.values(manifest.services);
  const shared = (values: string[]): string | undefined => (new Set(values).size === 1 ? values[0] : undefined);
  const account = shared(services.map((s) => s.account));
  const region = shared(services.map((s) => s.region));
  return { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) };
}

/** The placement options that are set, without undefined keys (a given option overrides a recorded one). */
function pick(options: PlacementDefaults | undefined): PlacementDefaults {
  const picked: PlacementDefaults = {};
  if (options?.account !== undefined) picked.account = options.account;
  if (options?.region !== undefined) picked.region = options.region;
  if (options?.table !== undefined) picked.table = options.table;
  return picked;
}
