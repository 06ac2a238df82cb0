/**
 * `@durable/core/lambda`: what generated handlers need to invoke other
 * services over Lambda, and to resume their own due executions (the sweeper). A subpath of its own, so apps that never invoke do not
 * load `@aws-sdk/client-lambda`.
 *
 * @packageDocumentation
 */
export { LambdaInvoker, type LambdaInvokerOptions } from './invoke/lambda-invoker.js';
export { LambdaResumer, type LambdaResumerOptions } from './invoke/lambda-resumer.js';
