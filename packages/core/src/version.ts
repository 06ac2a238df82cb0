import { VersionMismatchError } from './errors.js';

/** The version of this package (kept equal to package.json by a test). */
export const CORE_VERSION = '0.1.0';

/**
 * Refuses to start when the bundled `@durable/core` is not the version the
 * calling code was generated against: generated handlers call it first, so a
 * handler never runs on a runtime whose journal format or replay rules it does
 * not know.
 */
export function assertCoreVersion(expected: string): void {
  if (expected !== CORE_VERSION) throw new VersionMismatchError(expected, CORE_VERSION);
}
