import { randomBytes, randomUUID } from 'node:crypto';
import { runInScope } from '../context/active-scope.js';
import { ExecutionContext } from '../context/durable-context.js';
import { type Logger, replayAwareLogger } from '../context/logger.js';
import type { ServiceDefinition } from '../decorators/metadata.js';
import {
  type DurableError,
  ExecutionBusyError,
  ExecutionConflictError,
  ExecutionNotFoundError,
  NonDeterminismError,
  UnknownWorkflowError,
} from '../errors.js';
import type { ExecutionRequest } from '../handler/events.js';
import type { Invoker } from '../invoke/invoker.js';
import { hashSerialized } from '../journal/hash.js';
import type { ExecutionRecord } from '../journal/records.js';
import { deserialize, serializeBounded, serializeError } from '../serde/serialize.js';
import type { CheckpointStore, ExecutionTransition } from '../stores/checkpoint-store.js';
import { Execution } from './execution.js';
import type { ExecutionObserver } from './observer.js';

/** What an invocation answers (DESIGN §7). A FAILED execution throws its recorded error instead. */
export type ExecutionResult<Output = unknown> =
  | { status: 'SUCCEEDED'; executionId: string; output: Output }
  | { status: 'SUSPENDED'; executionId: string; resumeAt?: number };

/** Everything an invocation needs besides the event. */
export interface InvocationSettings {
  service: ServiceDefinition;
  createInstance: () => object;
  store: CheckpointStore;
  now: () => number;
  invoker: Invoker | undefined;
  logger: Logger;
  observer: ExecutionObserver | undefined;
  maxPayloadBytes: number;
  pipelineCheckpoints: boolean;
  /** Lease length when the invocation has no time limit (no Lambda context). */
  leaseMs: number;
  /** Id of this invocation as lease owner; default a random UUID. */
  leaseOwner?: () => string;
  /** The ARN this function was invoked with, when Lambda says. */
  callerArn?: string;
  maxInProcessWaitMs: number;
}

/** Added to the invocation's own deadline: the lease outlives the invocation a little, never by much. */
const LEASE_GRACE_MS = 2_000;

type Settled = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown };

/**
 * One invocation (DESIGN §3): claim the execution, load its journal once, run
 * the workflow against it, and finish, suspend or stop with one more write.
 */
export async function runInvocation(
  settings: InvocationSettings,
  request: ExecutionRequest,
  remainingMs: number | undefined,
): Promise<ExecutionResult> {
  const { service, store, now } = settings;
  const key = { service: service.name, executionId: request.executionId };
  const requestedWorkflow = resolveWorkflow(service, request);
  const input =
    request.input === undefined
      ? undefined
      : serializeBounded(request.input.value, 'the workflow input', settings.maxPayloadBytes);

  const startedAt = now();
  const deadline = remainingMs === undefined ? undefined : startedAt + remainingMs;
  const owner = settings.leaseOwner?.() ?? randomUUID();
  const claim = await store.claim({
    key,
    workflow: requestedWorkflow,
    ...(input === undefined ? {} : { input: { serialized: input, hash: hashSerialized(input) } }),
    owner,
    secret: randomBytes(24).toString('base64url'),
    now: startedAt,
    leaseExpiresAt: (deadline ?? startedAt + settings.leaseMs) + LEASE_GRACE_MS,
  });
  switch (claim.kind) {
    case 'finished':
      return answerFinished(claim.record);
    case 'busy':
      throw new ExecutionBusyError(key.executionId, claim.record.leaseExpiresAt);
    case 'conflict':
      throw new ExecutionConflictError(
        key.executionId,
        claim.reason === 'workflow'
          ? `for workflow '${claim.record.workflow}', not '${requestedWorkflow}'`
          : 'with another input',
      );
    case 'not-found':
      throw new ExecutionNotFoundError(key.executionId);
  }
  const record = claim.record;
  const workflow = service.workflows.find((w) => w.name === record.workflow);
  if (workflow === undefined) {
    throw new UnknownWorkflowError(
      service.name,
      record.workflow,
      service.workflows.map((w) => w.name),
    );
  }

  const journal = claim.isNew ? [] : await store.loadJournal(key);
  const execution = new Execution({
    store,
    key,
    journal,
    callbackSecret: record.secret ?? '',
    owner,
    callerArn: settings.callerArn,
    now,
    deadline,
    maxInProcessWaitMs: settings.maxInProcessWaitMs,
    maxPayloadBytes: settings.maxPayloadBytes,
    pipelineCheckpoints: settings.pipelineCheckpoints,
    invoker: settings.invoker,
    observer: settings.observer,
  });
  const logger = replayAwareLogger(settings.logger, () => execution.isReplaying, {
    service: service.name,
    workflow: workflow.name,
    executionId: key.executionId,
  });
  const ctx = new ExecutionContext(execution, execution.root, logger);
  const instance = settings.createInstance() as Record<string, (...args: unknown[]) => unknown>;
  const workflowInput = deserialize(record.input);
  const running: Promise<Settled> = (async () =>
    runInScope(execution.root, () => instance[workflow.method]!.call(instance, ctx, workflowInput)))().then(
    (value) => ({ kind: 'returned', value }),
    (error: unknown) => ({ kind: 'threw', error }),
  );
  let outcome = await Promise.race([execution.interrupted, running]);
  if (outcome.kind !== 'abandon') {
    // The journal must hold every step before the execution is finished or suspended.
    await execution.drain();
    outcome = await Promise.race([execution.interrupted, Promise.resolve(outcome)]);
  }
  execution.end();

  const finish = async (to: ExecutionTransition): Promise<ExecutionRecord | undefined> => {
    const written = await store.transition(key, owner, to, now());
    return written.ok ? undefined : written.current;
  };
  const failLoudly = async (error: DurableError): Promise<never> => {
    settings.logger.error(error.message, { ...key, code: error.code });
    const winner = await finish({ status: 'FAILED', error: serializeError(error) });
    if (winner !== undefined && isFinal(winner)) return answerFinished(winner) as never;
    throw error;
  };

  switch (outcome.kind) {
    case 'abandon':
      throw outcome.error;
    case 'fatal':
      return failLoudly(outcome.error);
    case 'suspend': {
      const winner = await finish({ status: 'SUSPENDED', resumeAt: outcome.resumeAt });
      if (winner !== undefined && isFinal(winner)) return answerFinished(winner);
      return {
        status: 'SUSPENDED',
        executionId: key.executionId,
        ...(outcome.resumeAt === undefined ? {} : { resumeAt: outcome.resumeAt }),
      };
    }
  }

  const leftOver = execution.unconsumed();
  if (leftOver !== undefined) {
    return failLoudly(
      new NonDeterminismError(
        leftOver.position,
        { kind: leftOver.kind, name: leftOver.name, argsHash: leftOver.argsHash },
        null,
      ),
    );
  }
  if (outcome.kind === 'returned') {
    let output: string;
    try {
      output = serializeBounded(outcome.value, `the output of workflow '${workflow.name}'`, settings.maxPayloadBytes);
    } catch (error) {
      const winner = await finish({ status: 'FAILED', error: serializeError(error) });
      if (winner !== undefined && isFinal(winner)) return answerFinished(winner);
      throw error;
    }
    const winner = await finish({ status: 'SUCCEEDED', output });
    if (winner !== undefined && isFinal(winner)) return answerFinished(winner);
    return { status: 'SUCCEEDED', executionId: key.executionId, output: deserialize(output) };
  }
  const winner = await finish({ status: 'FAILED', error: serializeError(outcome.error) });
  if (winner !== undefined && isFinal(winner)) return answerFinished(winner);
  throw outcome.error;
}

function resolveWorkflow(service: ServiceDefinition, request: ExecutionRequest): string | undefined {
  const names = service.workflows.map((w) => w.name);
  if (request.workflow !== undefined) {
    if (!names.includes(request.workflow)) throw new UnknownWorkflowError(service.name, request.workflow, names);
    return request.workflow;
  }
  if (request.input === undefined) return undefined;
  if (names.length !== 1) throw new UnknownWorkflowError(service.name, undefined, names);
  return names[0];
}

function isFinal(record: ExecutionRecord): boolean {
  return record.status === 'SUCCEEDED' || record.status === 'FAILED';
}

/** A finished execution answers what it recorded, running nothing. */
function answerFinished(record: ExecutionRecord): ExecutionResult {
  if (record.status === 'FAILED') throw deserialize(record.error ?? 'null');
  return { status: 'SUCCEEDED', executionId: record.executionId, output: deserialize(record.output ?? 'null') };
}
