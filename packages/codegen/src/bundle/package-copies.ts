import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A copy of a package found in a bundle: its version and the folder of its package.json. */
export interface BundledPackage {
  version: string;
  packageDir: string;
}

/**
 * The copies of each of `packageNames` that esbuild put into a bundle, read
 * from the package.json of each package its input files belong to. This is
 * the version the handler will run: not necessarily the CLI's own copy, since
 * the app resolves its own. Each list is sorted by folder; usually one, or
 * none for a package the bundle does not hold.
 *
 * @param workingDir the folder esbuild's metafile paths are relative to.
 * @param inputs the metafile's input paths.
 */
export function bundledPackageCopies(
  workingDir: string,
  inputs: Iterable<string>,
  packageNames: readonly string[],
): Map<string, BundledPackage[]> {
  const owners = new PackageOwners();
  const copies = new Map(packageNames.map((name) => [name, new Map<string, string>()]));
  for (const input of inputs) {
    // Virtual modules (`<runtime>`, `ns:path`) belong to no package.
    if (input.startsWith('<') || /^[a-z][a-z-]+:/.test(input)) continue;
    const owner = owners.of(path.dirname(path.resolve(workingDir, input)));
    if (owner !== undefined) copies.get(owner.name)?.set(owner.dir, owner.version);
  }
  return new Map(
    [...copies].map(([name, found]) => [
      name,
      [...found]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([packageDir, version]) => ({ version, packageDir })),
    ]),
  );
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
