import {
  type DurableLambdaHandler,
  type DurableContext as SdkContext,
  withDurableExecution,
} from '@aws/durable-execution-sdk-js';
import { activeScope, runInScope } from '../context/active-scope.js';
import { ExecutionContext } from '../context/durable-context.js';
import { jsonLogger, type Logger, replayAwareLogger } from '../context/logger.js';
import { type ServiceDefinition, serviceDefinition } from '../decorators/metadata.js';
import { ConfigurationError } from '../errors.js';
import type { HandlerOptions, ServiceClass } from '../handler/create-handler.js';
import { CarriedError } from './carried-errors.js';
import { parseDurableEvent, refuseLatest } from './events.js';
import { SdkExecution, sdkOf } from './execution.js';
import { MAX_OPERATION_PAYLOAD_BYTES, taggedJson } from './payloads.js';
import { assertDurableSdkVersion, DURABLE_SDK_VERSION } from './sdk-version.js';

/** The handler of a service on backend `lambda-durable`: the SDK's handler, with the service's definition. */
export type DurableServiceHandler = DurableLambdaHandler & { readonly service: ServiceDefinition };

/** Options of `createHandler` that name what the service itself does on this backend: refused, not ignored. */
const NOT_ON_THIS_BACKEND = {
  store: 'the service keeps the journal',
  table: 'the service keeps the journal, in no table',
  invoker: 'ctx.invoke goes through the service',
  resumer: 'the service resumes executions itself',
  leaseMs: 'the service runs one invocation of an execution at a time',
  leaseOwner: 'the service runs one invocation of an execution at a time',
  pipelineCheckpoints: 'the SDK decides how checkpoints are sent',
  maxInProcessWaitMs: 'every wait suspends the invocation',
  observer: 'the SDK reports operations (its plugins)',
} as const satisfies Partial<Record<keyof HandlerOptions, string>>;

/** Options of {@link createDurableHandler}: those of `createHandler` that mean something on this backend. */
export type DurableHandlerOptions = Pick<HandlerOptions, 'now' | 'logger' | 'maxPayloadBytes'>;

/**
 * The handler of `service` on AWS Lambda durable functions, typed as the SDK's: what
 * `createHandler(service, { backend: 'lambda-durable' })` returns, without loading `createHandler`'s DynamoDB
 * paths into the bundle. `maxPayloadBytes` may lower the service's 1 MB per operation, never raise it.
 *
 * @example
 * ```ts
 * import { assertDurableSdkVersion, createDurableHandler } from '@durable/core/lambda-durable';
 * assertDurableSdkVersion('2.4.0');
 * export const handler = createDurableHandler(ReviewService);
 * ```
 */
export function createDurableHandler(
  service: ServiceClass,
  options: DurableHandlerOptions = {},
): DurableServiceHandler {
  const definition = serviceDefinition(service);
  if (definition.workflows.length === 0) {
    throw new ConfigurationError(`${definition.className} has no @Workflow method: there is nothing to run.`);
  }
  if (definition.options.backend !== undefined && definition.options.backend !== 'lambda-durable') {
    throw new ConfigurationError(
      `${definition.className} is declared with backend '${definition.options.backend}' in @DurableService, ` +
        "and its IAM and deployment follow that: use createHandler, or declare backend 'lambda-durable'.",
    );
  }
  return createLambdaDurableHandler(service, definition, options);
}

/**
 * The Lambda handler of a `@DurableService` class on AWS Lambda durable functions: `withDurableExecution` of the
 * official SDK around the unchanged class, its operations mapped to the SDK's and checked on replay by this
 * package's rules (execution.ts). The execution's input is `{ workflow?, input? }` (events.ts); the result is the
 * workflow's output as tagged JSON, and a failed execution's error carries the original in `ErrorData`.
 * Refuses at once to run on another SDK than the pinned one.
 */
export function createLambdaDurableHandler(
  service: ServiceClass,
  definition: ServiceDefinition,
  options: HandlerOptions,
): DurableServiceHandler {
  assertDurableSdkVersion(DURABLE_SDK_VERSION);
  for (const [option, reason] of Object.entries(NOT_ON_THIS_BACKEND)) {
    if (options[option as keyof HandlerOptions] !== undefined) {
      throw new ConfigurationError(
        `createHandler(${definition.className}): option '${option}' has no meaning on backend 'lambda-durable' ` +
          `(${reason}); leave it out.`,
      );
    }
  }
  const limit = options.maxPayloadBytes ?? MAX_OPERATION_PAYLOAD_BYTES;
  if (!(Number.isFinite(limit) && limit > 0))
    throw new ConfigurationError('createHandler: maxPayloadBytes must be > 0.');
  const maxPayloadBytes = Math.min(limit, MAX_OPERATION_PAYLOAD_BYTES);
  const now = options.now ?? Date.now;

  const run = async (event: unknown, sdk: SdkContext): Promise<unknown> => {
    let request: ReturnType<typeof parseDurableEvent>;
    try {
      refuseLatest(
        definition.name,
        (sdk.lambdaContext as { invokedFunctionArn?: unknown } | undefined)?.invokedFunctionArn,
      );
      request = parseDurableEvent(event, definition);
    } catch (error) {
      // Nothing was recorded, and no retry would read the event differently: the execution fails with it.
      throw new CarriedError(error);
    }
    const { workflow, input } = request;
    const execution = new SdkExecution(sdk, {
      service: definition.name,
      workflow: workflow.name,
      now,
      maxPayloadBytes,
      logger: options.logger ?? jsonLogger,
      env: process.env,
    });
    const context = { service: definition.name, workflow: workflow.name, executionId: execution.executionId };
    const logger =
      options.logger === undefined
        ? sdkLogger(execution)
        : replayAwareLogger(options.logger, () => execution.isReplaying, context);
    const ctx = new ExecutionContext(execution, execution.root, logger);
    const running = (async () => {
      const instance = new service() as Record<string, (...args: unknown[]) => unknown>;
      return runInScope(execution.root, () => instance[workflow.method]!.call(instance, ctx, input));
    })().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const first = await Promise.race([running, execution.fatal.then((failure) => ({ error: failure as unknown }))]);
    try {
      // A non-determinism ends the execution FAILED even when the workflow caught it and returned.
      if (execution.failure !== undefined) throw execution.failure;
      execution.checkUnreached(execution.root);
      if ('error' in first) throw first.error;
      return taggedJson(first.value, `the output of workflow '${workflow.name}'`, maxPayloadBytes);
    } catch (error) {
      throw new CarriedError(error);
    }
  };
  return Object.assign(withDurableExecution(run), { service: definition });
}

/**
 * `ctx.logger` when `createHandler` got none: the SDK's logger of the context the calling code runs in (the
 * top level or a branch), which stays silent while that context replays and adds the execution's ARN and the
 * operation to each line. Its line's `message` is the message, or, with fields, `{ message, ...fields }` (the
 * SDK keeps one structured value there).
 */
function sdkLogger(execution: SdkExecution): Logger {
  const forward =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const scope = activeScope();
      const sdk = scope !== undefined && scope.execution === execution ? sdkOf(scope) : execution.sdk;
      sdk.logger[level](fields === undefined ? message : { message, ...fields });
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
