import { SDK_VERSION } from '@aws/durable-execution-sdk-js';
import { DurableSdkVersionError } from '../errors.js';

/**
 * The version of `@aws/durable-execution-sdk-js` this package is built and tested against, pinned exactly: the
 * adapter reads a few of its internals (sdk-internals.ts), and replays must meet the SDK that recorded them.
 */
export const DURABLE_SDK_VERSION = '2.4.0';

/** What the SDK reports as its version when Lambda's runtime loaded its own copy instead of the bundled one. */
const RUNTIME_COPY_SUFFIX = '-bundled';

/**
 * Why `loaded` (an SDK's `SDK_VERSION`) does not satisfy `expected`, or undefined when it does. The SDK suffixes
 * its version with `-bundled` when its module lies under `LAMBDA_RUNTIME_DIR`, i.e. it is the runtime's copy,
 * which AWS updates on its own schedule.
 */
export function sdkVersionProblem(expected: string, loaded: string): string | undefined {
  if (loaded === expected) return undefined;
  if (loaded === `${expected}${RUNTIME_COPY_SUFFIX}`) {
    return (
      "this is the Lambda runtime's own copy, which can change under a running execution: bundle the SDK into " +
      'the function (durable-gen bundle does) so the one it was tested with is the one that runs'
    );
  }
  return (
    'a replay must meet the SDK (and this adapter) that recorded the execution: install exactly ' +
    `@aws/durable-execution-sdk-js@${expected}, the version @durable/core pins, and rebundle`
  );
}

/**
 * Refuses to go on unless the bundled `@aws/durable-execution-sdk-js` is exactly `expected` (its `SDK_VERSION`):
 * a handler on backend `lambda-durable` calls it at cold start, before any execution runs. Throws a
 * {@link DurableSdkVersionError} naming what was loaded and how to fix it.
 *
 * @example
 * ```ts
 * import { assertDurableSdkVersion } from '@durable/core/lambda-durable';
 * assertDurableSdkVersion('2.4.0');
 * ```
 */
export function assertDurableSdkVersion(expected: string = DURABLE_SDK_VERSION): void {
  const problem = sdkVersionProblem(expected, SDK_VERSION);
  if (problem !== undefined) throw new DurableSdkVersionError(expected, SDK_VERSION, problem);
}
