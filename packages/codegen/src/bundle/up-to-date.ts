import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hasErrors } from '../diagnostics.js';
import { generate } from '../generate.js';
import { BundleError } from './bundle-error.js';

/**
 * Refuses to bundle what `generate` would not write today: the app's code
 * is checked again (with the paths and options the manifest recorded), and
 * every generated file must be what `generate` would write now. Otherwise a
 * `Math.random()` added after `generate` would be bundled, or a zip built
 * from code whose steps the manifest no longer describes.
 *
 * @throws BundleError `CHECK_FAILED` with the diagnostics, `GENERATED_STALE` naming the files that differ.
 * @throws SourcePathsError when the recorded paths no longer name a service.
 */
export function assertGeneratedUpToDate(root: string, generatedDir: string): void {
  const { diagnostics, files } = generate({ root, outDir: generatedDir, dryRun: true });
  if (hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    throw new BundleError(
      'CHECK_FAILED',
      `durable-gen check finds ${errors} error${errors === 1 ? '' : 's'} in the services: fix ${errors === 1 ? 'it' : 'them'}, run \`durable-gen generate\`, then bundle.`,
      { diagnostics },
    );
  }
  const stale = [...files]
    .filter(([file, content]) => {
      const absolute = path.join(root, file);
      return !existsSync(absolute) || readFileSync(absolute, 'utf8') !== content;
    })
    .map(([file]) => file)
    .sort();
  if (stale.length > 0) {
    throw new BundleError(
      'GENERATED_STALE',
      `${generatedDir}/ no longer matches the services (${stale.join(', ')} would change): ` +
        'run `durable-gen generate`, then bundle.',
    );
  }
}
