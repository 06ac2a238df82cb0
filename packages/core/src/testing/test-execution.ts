import { type PendingCallback, pendingCallbacks } from '../engine/callbacks.js';
import { ExecutionNotFoundError } from '../errors.js';
import { type ExecutionExport, exportExecution } from '../journal/execution-export.js';
import type { ExecutionKey, ExecutionRecord, ExecutionStatus, OperationRecord } from '../journal/records.js';
import { deserialize } from '../serde/serialize.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { comparePositions } from '../stores/store-rules.js';
import type { CrashReport } from './crash-points.js';
import { type JournalEntry, journalEntry } from './journal-view.js';

/**
 * What a test sees of one execution after the runner drove it: read from the store once, a snapshot that does
 * not change when the execution goes on (`runner.execution(id)` reads it again). Plain fields, so any assertion
 * library compares them; a few finders for the questions tests ask most.
 */
export class TestExecution<Output = unknown> {
  readonly id: string;
  readonly service: string;
  readonly workflow: string;
  /** `SUSPENDED`: it waits (for a callback, or for time the run was asked not to skip); `RUNNING`: it crashed. */
  readonly status: ExecutionStatus;
  /** What the workflow returned, deserialized, when `SUCCEEDED`. */
  readonly output: Output | undefined;
  /** What the execution failed with, when `FAILED`: the error's own class for this package's errors. */
  readonly error: unknown;
  /** Every position of its journal, in order. */
  readonly journal: readonly JournalEntry[];
  /** The callbacks it waits for, its children's included (each names its execution), with their tokens. */
  readonly pendingCallbacks: readonly PendingCallback[];
  /** The child executions its invokes started, in journal order. */
  readonly children: readonly TestExecution[];
  /** When a `SUSPENDED` execution wants to be resumed (the runner's clock); absent when only a callback resumes it. */
  readonly resumeAt: number | undefined;
  /** When the lease of a `RUNNING` execution ends: a crashed invocation holds it until then. */
  readonly leaseExpiresAt: number | undefined;
  /** How many invocations claimed it so far. */
  readonly invocations: number;
  /** Where the injected crash hit, when the run that made this snapshot crashed. */
  readonly crash: CrashReport | undefined;
  readonly #record: ExecutionRecord;
  readonly #operations: readonly OperationRecord[];

  constructor(
    record: ExecutionRecord,
    operations: readonly OperationRecord[],
    children: readonly TestExecution[],
    crash?: CrashReport,
  ) {
    this.#record = record;
    this.#operations = operations;
    this.id = record.executionId;
    this.service = record.service;
    this.workflow = record.workflow;
    this.status = record.status;
    this.output = record.output === undefined ? undefined : deserialize<Output>(record.output);
    this.error = record.error === undefined ? undefined : deserialize(record.error);
    this.journal = operations.map(journalEntry);
    this.children = children;
    this.pendingCallbacks = [
      ...pendingCallbacks(record, [...operations]),
      ...children.flatMap((child) => child.pendingCallbacks),
    ];
    this.resumeAt = record.status === 'SUSPENDED' ? record.resumeAt : undefined;
    this.leaseExpiresAt = record.status === 'RUNNING' ? record.leaseExpiresAt : undefined;
    this.invocations = record.invocations;
    this.crash = crash;
  }

  /** The step named `name` (its `occurrence`-th call, from 1, when it runs more than once), or undefined. */
  step(name: string, occurrence = 1): JournalEntry | undefined {
    return this.operations(name).filter((entry) => entry.kind === 'step')[occurrence - 1];
  }

  /** Every operation named `name`, in journal order: a step called in a loop, a sleep, a callback. */
  operations(name: string): JournalEntry[] {
    return this.journal.filter((entry) => entry.name === name);
  }

  /** The operation at `position` (`3`, `'7.2.1'`), or undefined. */
  at(position: number | string): JournalEntry | undefined {
    return this.journal.find((entry) => entry.position === String(position));
  }

  /** The child started by the invoke at `position`, or the first child of the service named, or of `service.workflow`. */
  child(positionOrName: number | string): TestExecution | undefined {
    const name = String(positionOrName);
    return this.children.find(
      (child) =>
        child.id === `${this.id}/${name}` || child.service === name || `${child.service}.${child.workflow}` === name,
    );
  }

  /** The pending callback named `name`, or undefined. */
  callback(name: string): PendingCallback | undefined {
    return this.pendingCallbacks.find((pending) => pending.name === name);
  }

  /**
   * The execution as `durable-gen executions export` writes it (the callback secret left out): keep it as a
   * fixture and replay it against later code with `runner.replay` or `replayJournal`.
   */
  export(): ExecutionExport {
    return exportExecution(this.#record, [...this.#operations]);
  }
}

/** Reads the execution `key` and its descendants (`<id>/<position>`, `<id>/<position>/<position>`…) from `store`. */
export async function readExecution(
  store: CheckpointStore,
  key: ExecutionKey,
  crash?: CrashReport,
): Promise<TestExecution> {
  const record = await store.getExecution(key);
  if (record === undefined) {
    throw new ExecutionNotFoundError(key.executionId, `the runner has no record of it in service '${key.service}'.`);
  }
  return readTree(store, record, await descendantRecords(store, key.executionId), crash);
}

async function readTree(
  store: CheckpointStore,
  record: ExecutionRecord,
  descendants: readonly ExecutionRecord[],
  crash: CrashReport | undefined,
): Promise<TestExecution> {
  const operations = await store.loadJournal({ service: record.service, executionId: record.executionId });
  const prefix = `${record.executionId}/`;
  const direct = descendants
    .filter((d) => d.executionId.startsWith(prefix) && !d.executionId.slice(prefix.length).includes('/'))
    .sort((a, b) => comparePositions(a.executionId.slice(prefix.length), b.executionId.slice(prefix.length)));
  const children: TestExecution[] = [];
  for (const child of direct) children.push(await readTree(store, child, descendants, undefined));
  return new TestExecution(record, operations, children, crash);
}

/**
 * The executions started under `executionId` by its invokes, at any depth. Listed rather than found through the
 * journal: an invoke records nothing until its child ends, and a child waiting for a callback is what a test
 * most needs to see.
 */
async function descendantRecords(store: CheckpointStore, executionId: string): Promise<ExecutionRecord[]> {
  const found: ExecutionRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listExecutions({ limit: 1_000, ...(cursor === undefined ? {} : { cursor }) });
    found.push(...page.executions.filter((record) => record.executionId.startsWith(`${executionId}/`)));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return found;
}
