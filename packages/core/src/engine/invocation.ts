import { randomBytes, randomUUID } from 'node:crypto';
import { runInScope } from '../context/active-scope.js';
import { ExecutionContext } from '../context/durable-context.js';
import { type Logger, replayAwareLogger } from '../context/logger.js';
import { lifetimesOf, type ServiceDefinition, type WorkflowDefinition } from '../decorators/metadata.js';
import {
  type DurableError,
  ExecutionBusyError,
  ExecutionConflictError,
  ExecutionNotFoundError,
  ExecutionTimeoutError,
  JournalIncompleteError,
  NonDeterminismError,
  UnknownWorkflowError,
  WrongVersionError,
} from '../errors.js';
import type { Invoker } from '../invoke/invoker.js';
import { hashSerialized } from '../journal/hash.js';
import type { ExecutionRecord, OperationRecord, PinnedVersion } from '../journal/records.js';
import { deserialize, serializeBounded } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { guardStore } from '../stores/store-guard.js';
import { Execution, type Interruption } from './execution.js';
import { answerFinished, type ExecutionResult, InvocationEnd } from './finish.js';
import type { ExecutionObserver } from './observer.js';
import { signatureOf } from './replay-state.js';

export type { ExecutionResult } from './finish.js';

/** What an event asks for (handler/events.ts parses it). */
export interface InvocationRequest {
  executionId: string;
  /** Absent: the service's only workflow, or the recorded one when resuming. */
  workflow?: string;
  /** Absent for a resume event (an id alone): the execution must exist. */
  input?: { value: unknown };
}

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
  /** The published version this invocation runs, on Lambda: a new execution is pinned to it. */
  version?: PinnedVersion;
  maxInProcessWaitMs: number;
}

/** Added to the invocation's own deadline: the lease outlives the invocation a little, never by much. */
const LEASE_GRACE_MS = 2_000;

/** How the workflow method itself ended. */
export type Settled = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown };

/**
 * One invocation, in five stages (packages/core/ARCHITECTURE.md): the event
 * was parsed by the handler; here the execution is claimed, its journal
 * loaded once, the workflow run against it, and the invocation finished,
 * suspended or released with one more write. After the claim every error
 * either ends the execution or leaves it resumable.
 */
export async function runInvocation(
  settings: InvocationSettings,
  request: InvocationRequest,
  remainingMs: number | undefined,
): Promise<ExecutionResult> {
  const { service, now } = settings;
  const key = { service: service.name, executionId: request.executionId };
  const requestedWorkflow = resolveWorkflow(service, request);
  const input =
    request.input === undefined
      ? undefined
      : serializeBounded(request.input.value, 'the workflow input', settings.maxPayloadBytes);
  const lifetimes = lifetimesOf(service.className, service.options);

  // One guard for the whole invocation: a store fault stops it at once (see stores/store-guard.ts).
  let execution: Execution | undefined;
  const store = guardStore(settings.store, (fault) => execution?.stop(fault));

  // Stage 2: claim.
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
    timeoutAt: startedAt + lifetimes.executionTimeoutMs,
    // TTL is wall-clock time: the engine's clock may be set anywhere (tests, replays of old timelines).
    expiresAt: Date.now() + lifetimes.executionTimeoutMs + lifetimes.retentionMs,
    ...(settings.version === undefined ? {} : { version: settings.version }),
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
    case 'wrong-version':
      throw new WrongVersionError(key.executionId, claim.record.pinnedVersion!, settings.version!);
  }

  const record = claim.record;
  const end = new InvocationEnd(store, key, owner, {
    now,
    logger: settings.logger,
    maxPayloadBytes: settings.maxPayloadBytes,
    finishedExpiresAt: () => Math.max(record.expiresAt ?? 0, Date.now() + lifetimes.retentionMs),
  });
  try {
    const workflow = service.workflows.find((w) => w.name === record.workflow);
    if (workflow === undefined) {
      // The code deployed now lacks the workflow (renamed?): left resumable, for code that has it.
      throw new UnknownWorkflowError(
        service.name,
        record.workflow,
        service.workflows.map((w) => w.name),
      );
    }
    const timeoutAt = record.timeoutAt ?? record.createdAt + lifetimes.executionTimeoutMs;
    if (now() >= timeoutAt) return await end.failLoudly(new ExecutionTimeoutError(key.executionId, timeoutAt));

    // Stage 3: load the journal, once.
    const journal = claim.isNew ? [] : await store.loadJournal(key);
    const incomplete = journalProblem(record, journal);
    if (incomplete !== undefined) return await end.failLoudly(new JournalIncompleteError(key.executionId, incomplete));

    // Stage 4: run the workflow.
    execution = new Execution({
      store,
      key,
      journal,
      epoch: record.invocations,
      expiresAt: record.expiresAt,
      timeoutAt,
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
    const outcome = await runWorkflow(execution, settings, workflow, record);

    // Stage 5: finish, suspend or release.
    switch (outcome.kind) {
      case 'stop':
        throw outcome.error;
      case 'fatal':
        return await end.failLoudly(withVersions(outcome.error, record, settings));
      case 'suspend':
        return await end.suspend(outcome.resumeAt);
    }
    const unreached = execution.replay.unreached();
    if (unreached !== undefined) {
      const error = new NonDeterminismError(unreached.position, signatureOf(unreached), null);
      return await end.failLoudly(withVersions(error, record, settings));
    }
    if (outcome.kind === 'threw') return await end.fail(outcome.error);
    let output: string;
    try {
      output = serializeBounded(outcome.value, `the output of workflow '${workflow.name}'`, settings.maxPayloadBytes);
    } catch (error) {
      return await end.fail(error);
    }
    return await end.succeed(output);
  } catch (error) {
    execution?.end();
    // Nothing may stay leased after a thrown invocation: a retry (Lambda's, or the sweeper's) picks it up.
    if (!end.isSettled) await end.release(error);
    throw error;
  }
}

/** Runs the workflow until it returns or throws, or the invocation must stop first (a replay's too). */
export async function runWorkflow(
  execution: Execution,
  settings: Pick<InvocationSettings, 'service' | 'createInstance' | 'logger'>,
  workflow: WorkflowDefinition,
  record: ExecutionRecord,
): Promise<Interruption | Settled> {
  const logger = replayAwareLogger(settings.logger, () => execution.isReplaying, {
    service: settings.service.name,
    workflow: workflow.name,
    executionId: record.executionId,
  });
  const ctx = new ExecutionContext(execution, execution.root, logger);
  const instance = settings.createInstance() as Record<string, (...args: unknown[]) => unknown>;
  const input = deserialize(record.input);
  const running: Promise<Settled> = (async () =>
    runInScope(execution.root, () => instance[workflow.method]!.call(instance, ctx, input)))().then(
    (value) => ({ kind: 'returned', value }),
    (error: unknown) => ({ kind: 'threw', error }),
  );
  const first = await Promise.race([execution.interrupted, running]);
  if (first.kind !== 'returned' && first.kind !== 'threw') {
    execution.end();
    await execution.checkpoints.settled();
    return first;
  }
  // The journal must hold every checkpoint before the execution ends. Once the workflow has returned, a branch
  // it no longer waits for (the loser of a Promise.race) may not suspend it; only a fault or a fenced write
  // during these last writes stops it.
  await execution.checkpoints.settled();
  execution.end();
  const late = await Promise.race([execution.interrupted, Promise.resolve(undefined)]);
  if (late !== undefined && late.kind !== 'suspend') return late;
  return first;
}

/**
 * Why a loaded journal cannot be replayed, if it cannot: its items are past
 * their TTL (DynamoDB may have deleted any of them), or some belong to another
 * execution that had the same id.
 */
function journalProblem(record: ExecutionRecord, journal: readonly OperationRecord[]): string | undefined {
  if (record.expiresAt === undefined) return undefined;
  if (record.expiresAt <= Date.now()) {
    return `it passed its retention on ${new Date(record.expiresAt).toISOString()} and DynamoDB TTL may have deleted records of it`;
  }
  const foreign = journal.find((op) => op.expiresAt !== undefined && op.expiresAt !== record.expiresAt);
  if (foreign !== undefined) {
    return `position ${foreign.position} was recorded by an earlier execution with the same id`;
  }
  return undefined;
}

function resolveWorkflow(service: ServiceDefinition, request: InvocationRequest): string | undefined {
  const names = service.workflows.map((w) => w.name);
  if (request.workflow !== undefined) {
    if (!names.includes(request.workflow)) throw new UnknownWorkflowError(service.name, request.workflow, names);
    return request.workflow;
  }
  if (request.input === undefined) return undefined;
  if (names.length !== 1) throw new UnknownWorkflowError(service.name, undefined, names);
  return names[0];
}

/** A NonDeterminismError that names the version that recorded the execution and the one running it now. */
function withVersions(error: DurableError, record: ExecutionRecord, settings: InvocationSettings): DurableError {
  if (!(error instanceof NonDeterminismError)) return error;
  const recorded = record.pinnedVersion?.version;
  const running = settings.version?.version;
  if (recorded === undefined && running === undefined) return error;
  return error.withVersions({
    ...(recorded === undefined ? {} : { recorded }),
    ...(running === undefined ? {} : { running }),
  });
}
