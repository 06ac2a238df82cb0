import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A copy of `@durable/core` found in a bundle: its version and the folder of its package.json. */
export interface BundledCore {
  version: string;
  packageDir: string;
}

const CORE_PACKAGE = '@durable/core';

/**
 * The copies of `@durable/core` esbuild put into a bundle, read from the
 * package.json of each package its input files belong to. This is the version
 * the handler will run: not necessarily the CLI's own `@durable/core`, since
 * the app resolves its own copy. Sorted by folder; usually one.
 *
 * @param workingDir the folder esbuild's metafile paths are relative to.
 * @param inputs the metafile's input paths.
 */
export function bundledCoreCopies(workingDir: string, inputs: Iterable<string>): BundledCore[] {
  const owners = new PackageOwners();
  const copies = new Map<string, string>();
  for (const input of inputs) {
    // Virtual modules (`<runtime>`, `ns:path`) belong to no package.
    if (input.startsWith('<') || /^[a-z][a-z-]+:/.test(input)) continue;
    const owner = owners.of(path.dirname(path.resolve(workingDir, input)));
    if (owner?.name === CORE_PACKAGE) copies.set(owner.dir, owner.version);
  }
  return [...copies]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([packageDir, version]) => ({ version, packageDir }));
}

interface PackageOwner {
  name: string;
  version: string;
  dir: string;
}

/** Finds the package a folder belongs to, remembering every folder on the way up (bundles have thousands of inputs). */
class PackageOwners {
  readonly #byDir = new Map<string, PackageOwner | undefined>();

  of(dir: string): PackageOwner | undefined {
    if (this.#byDir.has(dir)) return this.#byDir.get(dir);
    const owner = this.#read(dir) ?? (path.dirname(dir) === dir ? undefined : this.of(path.dirname(dir)));
    this.#byDir.set(dir, owner);
    return owner;
  }

  /** The package whose package.json is in `dir`; nested `{ "type": "module" }` files without a name do not count. */
  #read(dir: string): PackageOwner | undefined {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) return undefined;
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
    if (typeof manifest !== 'object' || manifest === null) return undefined;
    const { name, version } = manifest as { name?: unknown; version?: unknown };
    if (typeof name !== 'string') return undefined;
    return { name, version: typeof version === 'string' ? version : '', dir };
  }
}
