import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type BuildResult, build, type Message, type TsconfigRaw } from 'esbuild';
import type { BundleInfo, Manifest } from '../emit/manifest.js';
import { BundleError } from './bundle-error.js';
import { bundledVersions } from './bundled-versions.js';
import { esbuildTsconfig } from './tsconfig.js';
import { assertGeneratedUpToDate } from './up-to-date.js';
import { deterministicZip } from './zip.js';

/** Options of {@link bundle}. */
export interface BundleOptions {
  /** The app's root folder: where `generate` ran. */
  root: string;
  /** Output folder, relative to `root` (default `dist`): `<service>/index.mjs` and `<service>.zip`. */
  outDir?: string;
  /** The folder `generate` wrote, relative to `root` (default `generated`). */
  generatedDir?: string;
  /** Only these services (default: every service of the manifest). */
  services?: readonly string[];
}

/** One bundled service. */
export interface BundledService {
  name: string;
  /** Absolute path of the folder holding `index.mjs`. */
  dir: string;
  /** Absolute path of the zip to deploy. */
  zip: string;
  /** Hex sha256 of the zip's bytes. */
  sha256: string;
  /** Size of the zip. */
  bytes: number;
  /** The `@durable/core` version inside the bundle. */
  coreVersion: string;
  /** The `@aws/durable-execution-sdk-js` version inside the bundle, for a service on backend `lambda-durable`. */
  durableSdkVersion?: string;
}

/** What {@link bundle} produced, in the manifest's (sorted) order. */
export interface BundleResult {
  services: BundledService[];
}

// ESM output has no `require`, but CommonJS code inside the AWS SDK calls it for Node built-ins; without this
// the bundle fails at import with `Dynamic require of "node:https" is not supported` (FIELD-NOTES "Bundling").
// The import is aliased so it cannot collide with a `createRequire` of the bundled code.
const REQUIRE_BANNER =
  "import { createRequire as __durableCreateRequire } from 'node:module'; " +
  'const require = __durableCreateRequire(import.meta.url);';
/** The Lambda runtime bundles are built for (nodejs22.x). */
const LAMBDA_TARGET = 'node22';

/**
 * Bundles each service of `<root>/<generatedDir>/manifest.json` for Lambda:
 * esbuild turns `handlers/<service>.ts` into one minified ESM
 * file, `<outDir>/<service>/index.mjs`, with everything it imports inside,
 * `@durable/core` and the AWS SDK included (a bundle never relies on the
 * runtime's SDK, whose version nobody pins); then zips it deterministically
 * into `<outDir>/<service>.zip` and records `{ sha256, coreVersion, zip,
 * bytes }` (and `durableSdkVersion` for a `lambda-durable` service) as the
 * service's `bundle` in the manifest, leaving the rest of the manifest as it
 * was. Run it after `generate`; deploy reads what it records.
 *
 * First it checks the app as `durable-gen check` does and that `generated/`
 * is what `generate` would write today: it never bundles code that fails the
 * check, nor a handler its manifest no longer describes.
 *
 * @throws BundleError `NO_MANIFEST` before `generate` has run, `CHECK_FAILED`
 *   (with the diagnostics) or `GENERATED_STALE` when the code changed since, `UNKNOWN_SERVICE`
 *   for a name the manifest does not have, `NO_HANDLER` when a generated
 *   handler is missing, `BUNDLE_FAILED` when esbuild fails or the bundle holds no
 *   (or two) `@durable/core`; for a `lambda-durable` service no (or two)
 *   `@aws/durable-execution-sdk-js`, or another version than its handler
 *   asserts; for a `dynamodb` one, any copy of that SDK.
 */
export async function bundle(options: BundleOptions): Promise<BundleResult> {
  const root = path.resolve(options.root);
  const outDir = path.resolve(root, options.outDir ?? 'dist');
  const generatedDir = path.resolve(root, options.generatedDir ?? 'generated');
  const manifestPath = path.join(generatedDir, 'manifest.json');
  const manifest = readManifest(manifestPath);
  const names = selectServices(manifest, options.services, manifestPath);
  assertGeneratedUpToDate(root, display(root, generatedDir));
  const tsconfigRaw = readTsconfig(root);

  const services: BundledService[] = [];
  for (const name of names) {
    const entry = path.join(generatedDir, 'handlers', `${name}.ts`);
    if (!existsSync(entry)) {
      throw new BundleError(
        'NO_HANDLER',
        `${display(root, entry)} does not exist, but ${display(root, manifestPath)} lists service '${name}': ` +
          'run `durable-gen generate` again, then bundle.',
      );
    }
    const dir = path.join(outDir, name);
    const result = await buildHandler(root, entry, dir, tsconfigRaw, name);
    const versions = bundledVersions(root, Object.keys(result.metafile.inputs), name, manifest.services[name]!);

    const files = new Map<string, Uint8Array>();
    for (const output of result.outputFiles) {
      mkdirSync(path.dirname(output.path), { recursive: true });
      writeFileSync(output.path, output.contents);
      files.set(path.relative(dir, output.path).split(path.sep).join('/'), output.contents);
    }
    const zipBytes = deterministicZip(files);
    const zip = path.join(outDir, `${name}.zip`);
    writeFileSync(zip, zipBytes);
    const sha256 = createHash('sha256').update(zipBytes).digest('hex');
    const info: BundleInfo = {
      sha256,
      coreVersion: versions.coreVersion,
      zip: display(root, zip),
      bytes: zipBytes.byteLength,
      ...(versions.durableSdkVersion === undefined ? {} : { durableSdkVersion: versions.durableSdkVersion }),
    };
    // Recorded per service as soon as its zip is on disk, so the manifest never describes a zip that is not there.
    manifest.services[name]!.bundle = info;
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    services.push({ name, dir, zip, sha256, bytes: info.bytes, ...versions });
  }
  return { services };
}

type HandlerBuild = BuildResult<{ write: false; metafile: true }>;

async function buildHandler(
  root: string,
  entry: string,
  dir: string,
  tsconfigRaw: TsconfigRaw,
  name: string,
): Promise<HandlerBuild> {
  try {
    return await build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: path.join(dir, 'index.mjs'),
      write: false,
      metafile: true,
      bundle: true,
      // Everything goes in, `@aws-sdk/*` too: the copy in the Lambda runtime changes under a deployed function.
      packages: 'bundle',
      external: [],
      platform: 'node',
      format: 'esm',
      target: LAMBDA_TARGET,
      // The SDK's ES module builds: esbuild drops what the handler does not use (the SDK has no side effects).
      mainFields: ['module', 'main'],
      minify: true,
      // Minifying renames classes, and errors are known by `name` (`this.name = new.target.name`): in logs, in the
      // journal, in what Lambda reports. Keeping names costs a few KB.
      keepNames: true,
      banner: { js: REQUIRE_BANNER },
      tsconfigRaw,
      logLevel: 'silent',
    });
  } catch (error) {
    const messages = buildMessages(error);
    if (messages === undefined) {
      throw new BundleError('BUNDLE_FAILED', `esbuild failed on service '${name}': ${String(error)}`, {
        cause: error,
      });
    }
    throw new BundleError(
      'BUNDLE_FAILED',
      `esbuild could not bundle service '${name}' (${display(root, entry)}):\n${messages.map((m) => `  ${describeMessage(m)}`).join('\n')}\n` +
        'Fix the code above (or install the missing package), run `durable-gen generate` if the app changed, and bundle again.',
      { cause: error },
    );
  }
}

function readManifest(manifestPath: string): Manifest {
  if (!existsSync(manifestPath)) {
    throw new BundleError(
      'NO_MANIFEST',
      `${manifestPath} does not exist: run \`durable-gen generate\` first, then bundle.`,
    );
  }
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    throw new BundleError(
      'NO_MANIFEST',
      `${manifestPath} is not valid JSON (${(error as Error).message}): run \`durable-gen generate\` to rewrite it.`,
      { cause: error },
    );
  }
}

function selectServices(manifest: Manifest, wanted: readonly string[] | undefined, manifestPath: string): string[] {
  const known = Object.keys(manifest.services ?? {}).sort();
  if (wanted === undefined) return known;
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new BundleError(
      'UNKNOWN_SERVICE',
      `${manifestPath} has no service ${unknown.map((n) => `'${n}'`).join(', ')} ` +
        `(it has: ${known.join(', ') || 'none'}): check the name, or run \`durable-gen generate\` if the service is new.`,
    );
  }
  return known.filter((name) => wanted.includes(name));
}

function readTsconfig(root: string): TsconfigRaw {
  try {
    return esbuildTsconfig(root);
  } catch (error) {
    throw new BundleError(
      'BUNDLE_FAILED',
      `Could not read the app's TypeScript settings: ${(error as Error).message}. Fix tsconfig.json and bundle again.`,
      { cause: error },
    );
  }
}

/** esbuild's errors, when `error` is the failure of a build. */
function buildMessages(error: unknown): Message[] | undefined {
  if (typeof error !== 'object' || error === null || !('errors' in error)) return undefined;
  const { errors } = error as { errors: unknown };
  return Array.isArray(errors) && errors.length > 0 ? (errors as Message[]) : undefined;
}

function describeMessage(message: Message): string {
  const { location } = message;
  return location === null ? message.text : `${location.file}:${location.line}:${location.column}: ${message.text}`;
}

/** `file` as the user sees it: relative to the app root, `/`-separated. */
function display(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
