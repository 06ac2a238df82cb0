import type { Logger } from '../context/logger.js';
import { serviceDefinition } from '../decorators/metadata.js';
import { Execution } from '../engine/execution.js';
import { runWorkflow } from '../engine/invocation.js';
import { signatureOf } from '../engine/replay-state.js';
import { isDurableError, NonDeterminismError } from '../errors.js';
import type { ExecutionExport, PublicExecution } from '../journal/execution-export.js';
import type { ExecutionRecord, OperationRecord, OperationSignature } from '../journal/records.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../serde/limits.js';
import { MemoryStore } from '../stores/memory-store.js';

/**
 * What the current code makes of a recorded execution: `compatible` when it
 * makes the same durable calls as far as the journal goes, else where and
 * how it diverges.
 */
export type ReplayVerdict = ReplayedExecution & {
  /** Recorded positions the code reached and matched. */ replayed: number;
} & (
    | { compatible: true }
    | {
        compatible: false;
        /** The position where the code and the journal part (`''`: the execution as a whole, e.g. its workflow is gone). */
        position: string;
        /** What the journal holds there; null when the code calls an operation where the journal has none. */
        recorded: OperationSignature | null;
        /** What the code calls there now; null when it returns before reaching the recorded one. */
        actual: OperationSignature | null;
        /** One line: `recorded step 'charge' (["o-1"]), code now calls step 'chargeCard' (["o-1"])`. */
        message: string;
      }
  );

/** Which execution a {@link ReplayVerdict} speaks of. */
export interface ReplayedExecution {
  executionId: string;
  service: string;
  workflow: string;
  /** The published version the execution is pinned to, when it is. */
  pinnedVersion?: string;
  /** The execution's `invocations` when it was read: the epoch the verdict holds for (a later claim may add records). */
  invocations: number;
}

type Divergence = Omit<Extract<ReplayVerdict, { compatible: false }>, keyof ReplayedExecution | 'replayed'>;

const SILENT: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Replays a recorded execution against the code of `service` as it is now,
 * and says whether the code still makes the recorded durable calls: the check
 * to make before deploying code under running executions, or before moving
 * them to a new version (`durable-gen replay`, `durable-gen migrate`).
 *
 * Nothing happens but the replay: the workflow runs against a private
 * in-memory copy of the journal, answered from its records. A call whose
 * position holds no final outcome (a step under way or waiting to retry,
 * anything not recorded yet) waits there for good, before running: no step
 * body, callback submit or invoke runs, no value is drawn, no real store is
 * read or written. Everything else goes on: the other branches of a parallel
 * or map, the other calls of a `Promise.all`. What waits with a record (a
 * started sleep, a callback handed out, whose timeout is still compared with
 * the code's) waits too, and once nothing else can go on the replay ends, as
 * a suspension would, compatible as far as the journal goes. Time is the
 * journal's own (its last record), never the wall clock: an old journal
 * replays the same as a new one, finished executions too.
 *
 * A divergence is the first position where the code calls another operation
 * (kind, name or arguments) than the journal holds, or a recorded position
 * the code no longer reaches: one in a parallel/map branch that ended, or
 * anywhere once the workflow returned, as the engine checks. Recorded
 * positions after a call still waiting, in its own branch, are not reached
 * yet (the engine reaches them on a later invocation), so they are no
 * divergence. The workflow's own error, once every recorded position was
 * replayed, is what the journal says and counts as compatible.
 */
export async function replayJournal(
  service: new (...args: never[]) => object,
  recorded: ExecutionExport,
): Promise<ReplayVerdict> {
  const definition = serviceDefinition(service);
  const record = recorded.execution;
  const base: ReplayedExecution = {
    executionId: record.executionId,
    service: record.service,
    workflow: record.workflow,
    ...(record.pinnedVersion === undefined ? {} : { pinnedVersion: record.pinnedVersion.version }),
    invocations: record.invocations,
  };
  if (definition.name !== record.service) {
    return executionDiverges(
      base,
      `the journal is of service '${record.service}', and class ${definition.className} is service '${definition.name}'`,
    );
  }
  const workflow = definition.workflows.find((w) => w.name === record.workflow);
  if (workflow === undefined) {
    const names = definition.workflows.map((w) => `'${w.name}'`).join(', ') || 'none';
    return executionDiverges(
      base,
      `service '${record.service}' has no workflow '${record.workflow}' in this code (it has ${names})`,
    );
  }
  const execution = await replayExecution(record, recorded.journal);
  const outcome = await runWorkflow(
    execution,
    { service: definition, createInstance: () => new (service as new () => object)(), logger: SILENT },
    workflow,
    record as ExecutionRecord,
  );
  const replayed = execution.replayedPositions;
  switch (outcome.kind) {
    // Every path waits where the journal has no outcome yet: as far as it goes, the code agrees with it.
    case 'suspend':
      return { ...base, replayed, compatible: true };
    case 'fatal':
      return { ...base, replayed, ...divergence(outcome.error) };
    case 'stop':
      // The private store refused a write the engine makes on its own journal: no engine wrote this one.
      return { ...base, replayed, ...INCONSISTENT_JOURNAL };
  }
  const unreached = execution.replay.unreached();
  if (unreached !== undefined) {
    return {
      ...base,
      replayed,
      ...divergence(new NonDeterminismError(unreached.position, signatureOf(unreached), null)),
    };
  }
  return { ...base, replayed, compatible: true };
}

/**
 * An engine run of the execution that replays only (`replayOnly`), on a
 * store of its own seeded with the journal: what it writes (a parallel's end
 * marker) stays there. Its clock stands at the last record's time, the
 * journal's own "now": a sleep that woke by then goes on, one that did not,
 * or a callback still awaited, waits, which ends the replay once nothing else
 * is under way (as a suspension would). No wall-clock time passes in it, so no
 * timeout or lifetime of the execution runs out.
 */
async function replayExecution(record: PublicExecution, journal: readonly OperationRecord[]): Promise<Execution> {
  const key = { service: record.service, executionId: record.executionId };
  const store = new MemoryStore();
  const owner = 'replay';
  let lastRecorded = Math.max(record.createdAt, record.updatedAt);
  for (const op of journal) lastRecorded = Math.max(lastRecorded, op.updatedAt);
  await store.claim({
    key,
    workflow: record.workflow,
    input: { serialized: record.input, hash: record.inputHash },
    owner,
    now: record.createdAt,
    leaseExpiresAt: Number.MAX_SAFE_INTEGER,
    timeoutAt: Number.MAX_SAFE_INTEGER,
    expiresAt: Number.MAX_SAFE_INTEGER,
  });
  for (const op of journal) await store.writeOperation(key, op, null);
  return new Execution({
    store,
    key,
    journal,
    epoch: record.invocations + 1,
    expiresAt: undefined,
    timeoutAt: Number.POSITIVE_INFINITY,
    callbackSecret: '',
    owner,
    callerArn: undefined,
    now: () => lastRecorded,
    deadline: undefined,
    maxInProcessWaitMs: 0,
    maxPayloadBytes: DEFAULT_MAX_PAYLOAD_BYTES,
    pipelineCheckpoints: false,
    invoker: undefined,
    observer: undefined,
    replayOnly: true,
  });
}

/** The verdict's fields for the error that ended the replay (a NonDeterminismError, from begin or a branch's end). */
function divergence(error: unknown): Divergence {
  if (!isDurableError(error, NonDeterminismError.code)) {
    return { compatible: false, position: '', recorded: null, actual: null, message: String(error) };
  }
  const { position, recorded, actual } = error as NonDeterminismError;
  return { compatible: false, position, recorded, actual, message: describeDivergence(recorded, actual) };
}

/** The verdict's fields for a journal whose records the engine would not have written, so cannot replay. */
const INCONSISTENT_JOURNAL: Divergence = {
  compatible: false,
  position: '',
  recorded: null,
  actual: null,
  message:
    'the journal holds records the engine does not write (replaying it, a write the engine makes over its own ' +
    'record was refused), so it cannot be replayed: replay an unedited export of it',
};

/** A verdict for an execution the code cannot replay at all: it lacks its service or workflow. */
function executionDiverges(base: ReplayedExecution, message: string): ReplayVerdict {
  return { ...base, replayed: 0, compatible: false, position: '', recorded: null, actual: null, message };
}

/** Characters of recorded arguments a divergence shows: enough to recognise the call, on one line. */
const ARGS_SHOWN = 60;

/** `recorded step 'charge' (["o-1",20]), code now calls step 'chargeCard'`: what a person reads first. */
export function describeDivergence(recorded: OperationSignature | null, actual: OperationSignature | null): string {
  if (recorded === null) {
    return actual === null ? 'the code and the journal part' : `code now calls ${describe(actual)}, not recorded`;
  }
  const journal = `recorded ${describe(recorded)}`;
  if (actual === null) return `${journal}, code now returns before reaching it`;
  if (actual.kind === recorded.kind && actual.name === recorded.name) {
    return `${journal}, code now calls it with ${actual.args === undefined ? `arguments of hash ${actual.argsHash}` : shorten(actual.args)}`;
  }
  return `${journal}, code now calls ${actual.kind} '${actual.name}'`;
}

function describe(op: OperationSignature): string {
  return `${op.kind} '${op.name}'${op.args === undefined ? '' : ` (${shorten(op.args)})`}`;
}

function shorten(args: string): string {
  return args.length <= ARGS_SHOWN ? args : `${args.slice(0, ARGS_SHOWN - 1)}…`;
}
