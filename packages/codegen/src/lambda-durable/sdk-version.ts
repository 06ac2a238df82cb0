import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The official SDK of Lambda durable functions: what a service on backend `lambda-durable` runs on. */
export const DURABLE_SDK_PACKAGE = '@aws/durable-execution-sdk-js';

/** An exact version (`2.4.0`, `2.5.0-rc.1`): no range, no tag. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** `@durable/core` does not pin the SDK to one exact version: a broken install, or a core this codegen cannot serve. */
export class DurableSdkPinError extends Error {
  readonly code = 'DURABLE_SDK_NOT_PINNED';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The version of `@aws/durable-execution-sdk-js` that `@durable/core` depends on, exactly, read from core's own
 * package.json: what a generated handler of a `lambda-durable` service asserts at cold start, and what its
 * bundle must contain. Read, never written down here, so that core's next pin needs no codegen release.
 *
 * @param packageJson core's package.json (default: the `@durable/core` this package resolves).
 * @throws DurableSdkPinError when core names no exact version of the SDK.
 */
export function pinnedDurableSdkVersion(packageJson: string = corePackageJson()): string {
  const { dependencies } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    dependencies?: Record<string, unknown>;
  };
  const pinned = dependencies?.[DURABLE_SDK_PACKAGE];
  if (typeof pinned !== 'string' || !EXACT_VERSION.test(pinned)) {
    throw new DurableSdkPinError(
      `${packageJson} ${pinned === undefined ? 'does not depend on' : `names ${JSON.stringify(pinned)} for`} ` +
        `${DURABLE_SDK_PACKAGE}, not one exact version: a lambda-durable handler must assert the SDK its ` +
        'executions replay on. Reinstall @durable/core (npm ci), or use a release of it that pins the SDK.',
    );
  }
  return pinned;
}

function corePackageJson(): string {
  return createRequire(import.meta.url).resolve('@durable/core/package.json');
}
