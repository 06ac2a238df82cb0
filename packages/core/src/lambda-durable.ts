/**
 * `@durable/core/lambda-durable`: the `lambda-durable` backend, which runs an unchanged `@DurableService` class on
 * AWS Lambda durable functions through the official SDK, `@aws/durable-execution-sdk-js` (pinned exactly, and
 * bundled). Importing this module installs the backend: `createHandler(Service, { backend: 'lambda-durable' })`
 * (or a service whose decorator names that backend) then returns the SDK's handler (what `withDurableExecution`
 * returns). Without the import, `createHandler` refuses such a service with `BackendNotLoadedError`, so the SDK
 * is bundled only with the services that use it. `createDurableHandler` does the same without `createHandler`,
 * whose DynamoDB paths then stay out of the bundle.
 *
 * The mapping: `@Step` and `ctx.step` are the SDK's steps (the retry policy translated, always passed;
 * at-most-once is `AtMostOncePerRetry`), `ctx.now`/`random`/`uuid` are steps, `ctx.sleep` is a wait of whole
 * seconds (at least 1), `ctx.parallel`/`map` are the SDK's (failing with the first failing branch by index),
 * `ctx.waitForCallback` and `ctx.invoke` (a qualified ARN, checked as `LambdaInvoker` checks it) are the SDK's
 * too. On top of the SDK it keeps this package's guarantees: a replay checks each operation's arguments, not only
 * its kind and name; a non-determinism fails the execution before any new side effect runs (the SDK would run the
 * next new step first), as does a workflow that now returns before an operation it once recorded; values keep
 * their types (Date, BigInt, Map, Set, undefined, Uint8Array) and errors their class and own fields across
 * replays, invokes and callbacks; payloads over the service's limits are refused with `PayloadTooLargeError`
 * before the service would.
 *
 * @example
 * ```ts
 * import { assertDurableSdkVersion, createDurableHandler } from '@durable/core/lambda-durable';
 * import { ReviewService } from '../src/reviews.js';
 *
 * assertDurableSdkVersion('2.4.0');
 * export const handler = createDurableHandler(ReviewService);
 * // the same, through the main entry: createHandler(ReviewService, { backend: 'lambda-durable' })
 * ```
 *
 * @packageDocumentation
 */
import { installLambdaDurableBackend } from './handler/create-handler.js';
import { createLambdaDurableHandler, type DurableServiceHandler } from './lambda-durable/handler.js';

installLambdaDurableBackend(createLambdaDurableHandler);

declare module './handler/create-handler.js' {
  /** With this subpath imported, `createHandler` on backend `lambda-durable` has the SDK's exact handler type. */
  interface LambdaDurableHandlerTypes {
    handler: DurableServiceHandler;
  }
}

export { BackendNotLoadedError, DurableSdkVersionError } from './errors.js';
export type { LambdaDurableHandler } from './handler/create-handler.js';
export { encodeCallbackError, encodeCallbackResult } from './lambda-durable/callback-payloads.js';
export {
  completeDurableCallback,
  failDurableCallback,
  heartbeatDurableCallback,
} from './lambda-durable/callbacks-from-outside.js';
export { decodeExecutionError, decodeExecutionResult } from './lambda-durable/execution-results.js';
export {
  createDurableHandler,
  type DurableHandlerOptions,
  type DurableServiceHandler,
} from './lambda-durable/handler.js';
export { MAX_CALLBACK_RESULT_BYTES, MAX_OPERATION_PAYLOAD_BYTES } from './lambda-durable/payloads.js';
export { assertDurableSdkVersion, DURABLE_SDK_VERSION } from './lambda-durable/sdk-version.js';
