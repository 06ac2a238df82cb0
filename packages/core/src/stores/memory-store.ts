import type { ExecutionKey, ExecutionRecord, ExpectedOperation, OperationRecord } from '../journal/records.js';
import type {
  CheckpointStore,
  ClaimOutcome,
  ClaimRequest,
  ConditionalWriteOutcome,
  ExecutionPage,
  ExecutionTransition,
  ListExecutionsQuery,
  RepinRequest,
  ResumableQuery,
} from './checkpoint-store.js';
import { canRepin, claimDecision, isFinished, isResumable, positionOrder } from './store-rules.js';

interface StoredExecution {
  record: ExecutionRecord;
  operations: Map<string, OperationRecord>;
}

/**
 * A {@link CheckpointStore} in this process's memory, for unit tests and
 * quick local runs. It keeps the same conditional-write rules as
 * `DynamoDbStore`; values are copied in and out, so nothing the caller holds
 * can change what is stored.
 */
export class MemoryStore implements CheckpointStore {
  readonly #executions = new Map<string, StoredExecution>();

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const stored = this.#executions.get(storageKey(request.key));
    const decision = claimDecision(stored?.record, request);
    if (decision.kind !== 'claimed')
      return 'record' in decision ? { ...decision, record: clone(decision.record) } : decision;
    const record = decision.record;
    if (stored === undefined) {
      this.#executions.set(storageKey(request.key), { record: clone(record), operations: new Map() });
    } else {
      stored.record = clone(record);
    }
    return { kind: 'claimed', record: clone(record), isNew: decision.isNew };
  }

  async loadJournal(key: ExecutionKey): Promise<OperationRecord[]> {
    const stored = this.#executions.get(storageKey(key));
    if (stored === undefined) return [];
    return [...stored.operations.values()].sort(positionOrder).map(cloneOperation);
  }

  async writeOperation(
    key: ExecutionKey,
    record: OperationRecord,
    expected: ExpectedOperation,
  ): Promise<ConditionalWriteOutcome<OperationRecord>> {
    const stored = this.#executions.get(storageKey(key));
    if (stored === undefined) return { ok: false, current: undefined };
    const current = stored.operations.get(record.position);
    const matches =
      expected === null
        ? current === undefined
        : current !== undefined &&
          current.status === expected.status &&
          current.attempt === expected.attempt &&
          (expected.epoch === undefined || current.epoch === expected.epoch);
    if (!matches) return { ok: false, current: current === undefined ? undefined : cloneOperation(current) };
    stored.operations.set(record.position, cloneOperation(record));
    return { ok: true };
  }

  async transition(
    key: ExecutionKey,
    owner: string,
    to: ExecutionTransition,
    now: number,
  ): Promise<ConditionalWriteOutcome<ExecutionRecord>> {
    const stored = this.#executions.get(storageKey(key));
    if (stored === undefined) return { ok: false, current: undefined };
    const record = stored.record;
    // Fenced by the lease: an invocation whose lease was taken over never ends or pauses the newer one's run.
    if (isFinished(record.status) || record.leaseOwner !== owner) return { ok: false, current: clone(record) };
    const next: ExecutionRecord = { ...record, status: to.status, updatedAt: now };
    delete next.leaseOwner;
    delete next.leaseExpiresAt;
    if (to.status === 'SUCCEEDED') next.output = to.output;
    if (to.status === 'FAILED') next.error = to.error;
    if (to.status !== 'SUSPENDED' && to.expiresAt !== undefined) next.expiresAt = to.expiresAt;
    if (to.status === 'SUSPENDED') {
      // A resume requested while this invocation ran (a callback completed) wins if it is earlier.
      next.resumeAt = earliest(record.resumeAt, to.resumeAt);
    } else {
      delete next.resumeAt;
    }
    stored.record = next;
    return { ok: true };
  }

  async requestResume(key: ExecutionKey, resumeAt: number): Promise<void> {
    const stored = this.#executions.get(storageKey(key));
    if (stored === undefined || isFinished(stored.record.status)) return;
    stored.record = { ...stored.record, resumeAt: earliest(stored.record.resumeAt, resumeAt) };
  }

  async repinExecution(key: ExecutionKey, request: RepinRequest): Promise<boolean> {
    const stored = this.#executions.get(storageKey(key));
    if (stored === undefined || !canRepin(stored.record, request)) return false;
    stored.record = { ...stored.record, pinnedVersion: { ...request.to } };
    return true;
  }

  async getExecution(key: ExecutionKey): Promise<ExecutionRecord | undefined> {
    const stored = this.#executions.get(storageKey(key));
    return stored === undefined ? undefined : clone(stored.record);
  }

  async listExecutions(query: ListExecutionsQuery): Promise<ExecutionPage> {
    const limit = query.limit ?? 50;
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    const matching = [...this.#executions.values()]
      .map((stored) => stored.record)
      .filter(
        (r) =>
          (query.service === undefined || r.service === query.service) &&
          (query.status === undefined || r.status === query.status),
      )
      .sort((a, b) => b.createdAt - a.createdAt || a.executionId.localeCompare(b.executionId));
    const page = matching.slice(start, start + limit).map(clone);
    return start + limit < matching.length ? { executions: page, cursor: String(start + limit) } : { executions: page };
  }

  async findResumable({ service, now, limit }: ResumableQuery): Promise<ExecutionRecord[]> {
    // Only an execution stored under its own key counts, as in DynamoDbStore (whose index others can write to).
    const own = [...this.#executions.entries()].filter(
      ([at, stored]) => stored.record.service === service && at === storageKey(stored.record),
    );
    return own
      .map(([, stored]) => stored.record)
      .filter((r) => isResumable(r, now))
      .sort((a, b) => (a.resumeAt ?? a.leaseExpiresAt ?? 0) - (b.resumeAt ?? b.leaseExpiresAt ?? 0))
      .slice(0, limit)
      .map(clone);
  }
}

function storageKey(key: ExecutionKey): string {
  return `${key.service}#${key.executionId}`;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/** Execution records hold only strings and numbers: a shallow copy keeps callers and the store apart. */
function clone<T extends object>(value: T): T {
  return { ...value };
}

/** Operation records also hold `follows`, an object of its own. */
function cloneOperation(record: OperationRecord): OperationRecord {
  const copy = { ...record };
  if (record.follows !== undefined) copy.follows = { ...record.follows };
  return copy;
}
