import path from 'node:path';
import type { ManifestService } from '../emit/manifest.js';
import { DURABLE_SDK_PACKAGE } from '../lambda-durable/sdk-version.js';
import { BundleError } from './bundle-error.js';
import { type BundledPackage, bundledPackageCopies } from './package-copies.js';

const CORE_PACKAGE = '@durable/core';

/** The versions of the runtime packages a bundle holds, as the manifest records them. */
export interface BundledVersions {
  coreVersion: string;
  /** Only for a service on backend `lambda-durable`. */
  durableSdkVersion?: string;
}

/**
 * What runs the handler, read from esbuild's metafile: exactly one `@durable/core`, and for a service on backend
 * `lambda-durable` exactly one `@aws/durable-execution-sdk-js`, the version its generated handler asserts. A
 * `dynamodb` bundle holds no copy of the SDK: the backend never loads it, so a copy means something imports the
 * lambda-durable backend into a service whose IAM policy and deployment are not made for it.
 *
 * @param root the app's root, which the metafile's paths are relative to.
 * @throws BundleError `BUNDLE_FAILED` saying what is missing, duplicated or unexpected, and how to fix it.
 */
export function bundledVersions(
  root: string,
  inputs: Iterable<string>,
  name: string,
  entry: Pick<ManifestService, 'backend' | 'durableSdkVersion'>,
): BundledVersions {
  const copies = bundledPackageCopies(root, inputs, [CORE_PACKAGE, DURABLE_SDK_PACKAGE]);
  const core = onlyCopy(root, name, CORE_PACKAGE, copies.get(CORE_PACKAGE) ?? [], 'generated handlers import it');
  const sdk = copies.get(DURABLE_SDK_PACKAGE) ?? [];
  if (entry.backend !== 'lambda-durable') {
    if (sdk.length > 0) {
      throw new BundleError(
        'BUNDLE_FAILED',
        `The bundle of service '${name}' (backend '${entry.backend}') contains ${DURABLE_SDK_PACKAGE} ` +
          `(${describeCopies(root, sdk)}), which only backend 'lambda-durable' runs on: something the service ` +
          "imports loads '@durable/core/lambda-durable' or the SDK. Remove that import, or declare the service " +
          "@DurableService({ backend: 'lambda-durable' }) and run `durable-gen generate` again.",
      );
    }
    return { coreVersion: core.version };
  }
  const only = onlyCopy(
    root,
    name,
    DURABLE_SDK_PACKAGE,
    sdk,
    "its generated handler imports '@durable/core/lambda-durable'",
  );
  if (entry.durableSdkVersion !== undefined && only.version !== entry.durableSdkVersion) {
    // The handler asserts its version at cold start: a zip built this way could never start.
    throw new BundleError(
      'BUNDLE_FAILED',
      `The bundle of service '${name}' contains ${DURABLE_SDK_PACKAGE} ${only.version} ` +
        `(${display(root, only.packageDir)}), but its generated handler asserts ${entry.durableSdkVersion}, the ` +
        'version the @durable/core of durable-gen pins: install the same @durable/core for the app and for ' +
        'durable-gen, run `durable-gen generate` again, then bundle.',
    );
  }
  return { coreVersion: core.version, durableSdkVersion: only.version };
}

function onlyCopy(
  root: string,
  name: string,
  packageName: string,
  copies: readonly BundledPackage[],
  why: string,
): BundledPackage {
  const [only] = copies;
  if (only === undefined) {
    throw new BundleError(
      'BUNDLE_FAILED',
      `The bundle of service '${name}' contains no ${packageName}, but ${why}: run \`durable-gen generate\` ` +
        'again, then bundle.',
    );
  }
  if (copies.length > 1) {
    // Two copies of core would each keep their own decorator metadata (the handler would find no workflows); two
    // of the SDK would leave it to chance which one runs the execution.
    throw new BundleError(
      'BUNDLE_FAILED',
      `The bundle of service '${name}' contains ${copies.length} copies of ${packageName} ` +
        `(${describeCopies(root, copies)}): make the app depend on a single version (\`npm dedupe\`), then bundle again.`,
    );
  }
  return only;
}

function describeCopies(root: string, copies: readonly BundledPackage[]): string {
  return copies.map((c) => `${c.version} in ${display(root, c.packageDir)}`).join(', ');
}

function display(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
