import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import type { Manifest } from '../emit/manifest.js';

/** Where `generate` writes when `--out` is not given, relative to the app. */
export const DEFAULT_OUT_DIR = 'generated';

/** `--out` as the commands take it: relative to the app, with `/`, no trailing slash. */
export function normalizeOutDir(outDir: string | undefined): string {
  return (outDir ?? DEFAULT_OUT_DIR).split(path.sep).join('/').replace(/\/+$/, '');
}

/**
 * The manifest a previous `generate` (and `bundle`) wrote under `outDir`, if
 * any; a `corrupt-manifest` diagnostic when it exists but cannot be read (then
 * nothing is generated over it: its bundle records would be lost).
 */
export function readPreviousManifest(root: string, outDir: string, diagnostics: Diagnostic[]): Manifest | undefined {
  const relative = `${outDir}/manifest.json`;
  const file = path.join(root, relative);
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (typeof manifest !== 'object' || manifest === null || typeof manifest.services !== 'object') {
      throw new Error('it has no "services" object');
    }
    const recorded = manifest.generateOptions;
    if (
      recorded !== undefined &&
      (typeof recorded !== 'object' || recorded === null || !isStringList(recorded.paths))
    ) {
      throw new Error('its "generateOptions" has no "paths" list');
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

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string');
}
