import { existsSync } from 'node:fs';
import path from 'node:path';
import { DURABLE_CONFIG_FILE } from '@durable/core';

/**
 * The app's `src/durable.config.ts` (relative to `root`, as generated handlers import it), or undefined when the
 * app has none: then generated handlers take createHandler's defaults.
 */
export function findHandlerConfig(root: string): string | undefined {
  return existsSync(path.join(root, DURABLE_CONFIG_FILE)) ? DURABLE_CONFIG_FILE : undefined;
}
