import { jsonLogger, type Logger } from '../context/logger.js';
import { type Backend, type ServiceDefinition, serviceDefinition } from '../decorators/metadata.js';
import { type ExecutionResult, runInvocation } from '../engine/invocation.js';
import type { ExecutionObserver } from '../engine/observer.js';
import { BackendNotLoadedError, ConfigurationError, InvalidEventError } from '../errors.js';
import type { Invoker } from '../invoke/invoker.js';
import type { ChildInvokeAnswer, ChildInvokeEvent } from '../invoke/protocol.js';
import type { Resumer } from '../invoke/resumer.js';
import type { ReplayVerdict } from '../replay/replay-journal.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { type SweepResult, sweep } from '../sweeper/sweep.js';
import { isSweepEvent, type SweepEvent } from '../sweeper/sweep-event.js';
import { resolveStore } from './checkpoint-table.js';
import { childInvocation, invocationTimeLeft } from './child-answer.js';
import { parseEvent } from './events.js';
import type { LambdaContext } from './lambda-context.js';
import { assertPinnedInvocation, runningVersion } from './pinned-invocation.js';
import { answerReplayCheck, isReplayCheckEvent, type ReplayCheckEvent } from './replay-check.js';

/** Options of {@link createHandler}. */
export interface HandlerOptions {
  /** Where the journal lives. Without it, the journal is kept in the DynamoDB table `table` names. */
  store?: CheckpointStore;
  /**
   * The DynamoDB checkpoint table, when no `store` is passed: what generated handlers pass (the table `durable-gen
   * generate` resolved: `@DurableService({ table })`, else `--table`, else `durable-executions`). Without it,
   * `@DurableService({ table })` or `DURABLE_TABLE` names it. When several of them name a table, they must name
   * the same one (else a `ConfigurationError` names both): the function's IAM policy allows one.
   */
  table?: string;
  /**
   * `dynamodb` (default: this package's engine on DynamoDB), or `lambda-durable` (AWS Lambda durable functions,
   * available once `@durable/core/lambda-durable` is imported). Default: the decorator's `backend`.
   */
  backend?: Backend;
  /** The clock for sleeps, retries and leases, in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Runs child workflows for `ctx.invoke`. */
  invoker?: Invoker;
  /**
   * Re-invokes due executions when the handler gets the sweeper's event (`{ durableSweep: 1, service }`):
   * generated handlers pass `new LambdaResumer()` from `@durable/core/lambda`.
   */
  resumer?: Resumer;
  /** Where `ctx.logger` and the engine write. Default: JSON lines on stdout/stderr. */
  logger?: Logger;
  /** Hooks called at each operation, e.g. for progress output. */
  observer?: ExecutionObserver;
  /** Largest serialized input, step result or output, in bytes. Default 2 MiB. */
  maxPayloadBytes?: number;
  /**
   * Lease of an invocation that has no Lambda context (no time limit), plus a 2 s grace. Default 15 minutes. With
   * a Lambda context the lease is the invocation's own deadline plus the grace: Lambda cannot run it longer.
   */
  leaseMs?: number;
  /** Waits (sleeps, retry delays) longer than this suspend even when the invocation has time left. Default: no limit. */
  maxInProcessWaitMs?: number;
  /**
   * A speed mode, off by default: an at-least-once step's checkpoint write may overlap the steps after it (up to 8
   * writes under way) instead of holding up the next step until it lands. Default false, or the
   * `DURABLE_PIPELINE_CHECKPOINTS` environment variable (`true` / `false`) when set. Still one conditional write per
   * step; quick steps no longer wait a round trip each. The price: if the process dies, a step that had already
   * returned, whose checkpoint had not landed yet, runs again along with the one in flight (its side effect may
   * have been seen). Nothing others can observe goes ahead of a pending checkpoint: at-most-once steps, sleeps,
   * invokes, callbacks, suspending and the result wait for every earlier write. Default (strict): each step's
   * checkpoint is durable before the next operation starts, so a crash repeats only the operation in flight.
   */
  pipelineCheckpoints?: boolean;
  /**
   * Names each invocation as lease owner. Default: a random UUID. Local tools use their process id, so that a
   * run can take over the lease of a run that died (see durable-gen run).
   */
  leaseOwner?: () => string;
}

/** The Lambda handler of one service, with its definition for tools. */
export interface DurableHandler {
  /** A parent's child-invoke event (what LambdaInvoker and InProcessInvoker send) gets the child's answer. */
  (event: ChildInvokeEvent, lambdaContext?: LambdaContext): Promise<ChildInvokeAnswer>;
  /** The sweeper's scheduled event gets what the sweep resumed. */
  (event: SweepEvent, lambdaContext?: LambdaContext): Promise<SweepResult>;
  /** `durable-gen migrate`'s replay check gets this code's verdict on the execution's journal; nothing is written. */
  (event: ReplayCheckEvent, lambdaContext?: LambdaContext): Promise<ReplayVerdict>;
  (event: unknown, lambdaContext?: LambdaContext): Promise<ExecutionResult>;
  readonly service: ServiceDefinition;
}

/** A durable service class: constructible with no arguments (a new instance per invocation). */
export type ServiceClass = new () => object;

/** The default `maxPayloadBytes`, 2 MiB. Its home is serde/, where the callback completer reads it too. */
export { DEFAULT_MAX_PAYLOAD_BYTES };

const DEFAULT_LEASE_MS = 15 * 60 * 1000;

/**
 * The handler of a service on backend `lambda-durable`: what the SDK's `withDurableExecution` returns, with the
 * service's definition. Importing `@durable/core/lambda-durable` gives it the SDK's exact type.
 */
export type LambdaDurableHandler = LambdaDurableHandlerTypes extends { handler: infer Handler }
  ? Handler
  : ((event: unknown, lambdaContext: unknown) => Promise<{ Status: string; Result?: string }>) & {
      readonly service: ServiceDefinition;
    };

/** Filled in by `@durable/core/lambda-durable` (declaration merging), so that core's main entry names no SDK type. */
// biome-ignore lint/suspicious/noEmptyInterface: merged into by the lambda-durable subpath
export interface LambdaDurableHandlerTypes {}

/** Makes the handler of a service on backend `lambda-durable`: what `@durable/core/lambda-durable` installs. */
export type LambdaDurableHandlerFactory = (
  service: ServiceClass,
  definition: ServiceDefinition,
  options: HandlerOptions,
) => LambdaDurableHandler;

// The main entry never loads the Lambda durable functions SDK, so bundles of dynamodb services stay without it:
// the subpath registers the backend here when it is imported.
let lambdaDurableFactory: LambdaDurableHandlerFactory | undefined;

/** Called by `@durable/core/lambda-durable` when it is imported; not part of the public API. */
export function installLambdaDurableBackend(factory: LambdaDurableHandlerFactory): void {
  lambdaDurableFactory = factory;
}

/**
 * The Lambda handler of a `@DurableService` class: parses the
 * event, runs or resumes the execution it names, and answers
 * `{ status: 'SUCCEEDED', output }` or `{ status: 'SUSPENDED', resumeAt }`. A
 * FAILED execution throws its recorded error, so Lambda destinations see it;
 * a parent's child-invoke event is answered instead, FAILED included
 * (invoke/protocol.ts), and only what may pass is thrown.
 * Bad events throw a typed error and write nothing; so does an invocation
 * of the function unqualified or as `$LATEST` (`UnpinnedInvocationError`).
 *
 * On backend `lambda-durable` (the option, or the decorator's) it returns the handler of AWS Lambda durable
 * functions instead (see {@link LambdaDurableHandler}); that needs `import '@durable/core/lambda-durable'` first,
 * else a {@link BackendNotLoadedError}.
 */
export function createHandler(
  service: ServiceClass,
  options: HandlerOptions & { backend: 'lambda-durable' },
): LambdaDurableHandler;
export function createHandler(service: ServiceClass, options?: HandlerOptions): DurableHandler;
export function createHandler(
  service: ServiceClass,
  options: HandlerOptions = {},
): DurableHandler | LambdaDurableHandler {
  const definition = serviceDefinition(service);
  if (definition.workflows.length === 0) {
    throw new ConfigurationError(`${definition.className} has no @Workflow method: there is nothing to run.`);
  }
  const backend = options.backend ?? definition.options.backend ?? 'dynamodb';
  if (backend === 'lambda-durable') {
    if (lambdaDurableFactory === undefined) throw new BackendNotLoadedError(definition.name, backend);
    return lambdaDurableFactory(service, definition, options);
  }
  if (backend !== 'dynamodb') {
    throw new ConfigurationError(
      `Backend '${backend}' is not available in this version of @durable/core; use 'dynamodb' (the default).`,
    );
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  for (const [name, value] of Object.entries({ maxPayloadBytes, leaseMs })) {
    if (!(Number.isFinite(value) && value > 0)) throw new ConfigurationError(`createHandler: ${name} must be > 0.`);
  }
  const pipelineCheckpoints = options.pipelineCheckpoints ?? pipelineCheckpointsFromEnvironment();
  let store: CheckpointStore | undefined;
  const handler = async (
    event: unknown,
    lambdaContext?: LambdaContext,
  ): Promise<ExecutionResult | ChildInvokeAnswer | SweepResult | ReplayVerdict> => {
    // Before anything is read or written: a deployed function runs only as a published version or an alias.
    assertPinnedInvocation(definition.name, lambdaContext);
    const version = runningVersion(lambdaContext);
    // The schedule's payload, checked first: it is never read as a workflow event.
    if (isSweepEvent(event)) {
      if (event.service !== definition.name) {
        throw new InvalidEventError(
          `a sweep event for service '${String(event.service)}' reached the handler of '${definition.name}': ` +
            `send { "durableSweep": 1, "service": "${definition.name}" }`,
        );
      }
      store ??= resolveStore(options, definition);
      return sweep({
        store,
        service: definition.name,
        now: (options.now ?? Date.now)(),
        resumer: options.resumer,
        sweeperVersion: version,
        logger: options.logger ?? jsonLogger,
      });
    }
    // Reserved like the sweep's: a replay check never starts or resumes anything.
    if (isReplayCheckEvent(event)) {
      store ??= resolveStore(options, definition);
      return answerReplayCheck(service, definition.name, store, event);
    }
    const request = parseEvent(event, lambdaContext);
    store ??= resolveStore(options, definition);
    // A parent's invoke gets its child's outcome as an answer, a failure included (invoke/protocol.ts).
    const child =
      request.idSource === 'invoke'
        ? childInvocation(store, { service: definition.name, executionId: request.executionId })
        : undefined;
    const running = runInvocation(
      {
        service: definition,
        createInstance: () => new service(),
        store: child?.store ?? store,
        now: options.now ?? Date.now,
        invoker: options.invoker,
        logger: options.logger ?? jsonLogger,
        observer: options.observer,
        maxPayloadBytes,
        pipelineCheckpoints,
        leaseMs,
        maxInProcessWaitMs: options.maxInProcessWaitMs ?? Number.POSITIVE_INFINITY,
        ...(options.leaseOwner === undefined ? {} : { leaseOwner: options.leaseOwner }),
        ...(lambdaContext?.invokedFunctionArn === undefined ? {} : { callerArn: lambdaContext.invokedFunctionArn }),
        ...(version === undefined ? {} : { version }),
      },
      request,
      invocationTimeLeft(request, lambdaContext),
    );
    return child === undefined ? running : child.answer(running);
  };
  // One implementation behind both call signatures of DurableHandler: `request.idSource` tells them apart.
  return Object.assign(handler, { service: definition }) as DurableHandler;
}

/** `DURABLE_PIPELINE_CHECKPOINTS`: lets a deployed (generated) handler opt in without regenerating it. */
function pipelineCheckpointsFromEnvironment(): boolean {
  const value = process.env.DURABLE_PIPELINE_CHECKPOINTS;
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigurationError(
    `DURABLE_PIPELINE_CHECKPOINTS is '${value}': set it to 'false' (the default: each step waits for its own ` +
      "checkpoint) or 'true' (checkpoints of at-least-once steps overlap the next step), or unset it.",
  );
}
