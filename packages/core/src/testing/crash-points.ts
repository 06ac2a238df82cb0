import type { ExecutionKey, ExpectedOperation, OperationRecord } from '../journal/records.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { InvalidCrashPointError } from './test-runner-errors.js';

/**
 * An operation of the journal: its position (`3`, or `'7.2.1'` inside a parallel), or its name (the first operation
 * of that name).
 */
export type CrashTarget = number | string;

/**
 * Where the process running an invocation dies, as a test asks for it:
 * - `afterCheckpoint`: right after the operation's checkpoint landed (its outcome, its failed attempt waiting to
 *   retry, a sleep's or callback's wait): the operation is safe, nothing after it happened;
 * - `beforeCheckpoint`: the operation ran (a step's body and its side effect happened) but its checkpoint never
 *   landed: the at-least-once window, where a retry runs the step again;
 * - `beforeSideEffect`: an at-most-once step recorded that it started, and the process died before its body ran:
 *   its side effect never happened, and still the retry cannot know.
 *
 * `executionId` names a child execution (`<parent id>/<position>`) when the crash is to hit a child; by default
 * the execution the run drives.
 */
export type CrashPoint = (
  | { afterCheckpoint: CrashTarget }
  | { beforeCheckpoint: CrashTarget }
  | { beforeSideEffect: string }
) & { executionId?: string };

/** Where an injected crash hit. */
export interface CrashReport {
  executionId: string;
  position: string;
  kind: OperationRecord['kind'];
  name: string;
  /** The crash point as asked for, in words: `after the checkpoint of 'charge'`. */
  point: string;
}

/** `after the checkpoint of 'charge'`, for messages. */
export function describeCrashPoint(point: CrashPoint): string {
  const target = (value: CrashTarget) => (typeof value === 'number' ? `position ${value}` : `'${value}'`);
  if ('afterCheckpoint' in point) return `after the checkpoint of ${target(point.afterCheckpoint)}`;
  if ('beforeCheckpoint' in point) return `before the checkpoint of ${target(point.beforeCheckpoint)}`;
  return `before the side effect of at-most-once step '${point.beforeSideEffect}'`;
}

function targetOf(point: CrashPoint): CrashTarget {
  if ('afterCheckpoint' in point) return point.afterCheckpoint;
  if ('beforeCheckpoint' in point) return point.beforeCheckpoint;
  if ('beforeSideEffect' in point) return point.beforeSideEffect;
  throw new InvalidCrashPointError(
    `${JSON.stringify(point)} has none of afterCheckpoint, beforeCheckpoint, beforeSideEffect.`,
  );
}

/** Never settles: what every call of a dead process gets. */
const NEVER = new Promise<never>(() => {});

/**
 * The store as the process of one invocation sees it, until that process dies at the crash point: from then on
 * no call of it is answered, so the invocation writes nothing more (no outcome, no release of its lease, no
 * suspension), exactly as a killed Lambda. Children run by that invocation share its fate: they run in the same
 * process. The runner abandons the invocation and uses the real store for what follows.
 */
export class CrashingStore implements CheckpointStore {
  readonly #inner: CheckpointStore;
  readonly #point: CrashPoint;
  readonly #target: CrashTarget;
  readonly #executionId: string;
  readonly #written = new Set<string>();
  #hit: ((report: CrashReport) => void) | undefined;
  #failed: ((error: Error) => void) | undefined;
  #isDead = false;
  /** Settles once the process died: with where, or rejected when the crash point turned out impossible. */
  readonly crashed: Promise<CrashReport>;

  constructor(inner: CheckpointStore, point: CrashPoint, executionId: string) {
    this.#inner = inner;
    this.#point = point;
    this.#target = targetOf(point);
    this.#executionId = point.executionId ?? executionId;
    this.crashed = new Promise<CrashReport>((resolve, reject) => {
      this.#hit = resolve;
      this.#failed = reject;
    });
    // A run that ends without the crash never awaits this promise: its rejection must not go unhandled.
    this.crashed.catch(() => {});
  }

  /** The positions whose checkpoints landed while the crash point was not reached, for the error that says so. */
  get writtenPositions(): string[] {
    return [...this.#written];
  }

  async writeOperation(key: ExecutionKey, record: OperationRecord, expected: ExpectedOperation) {
    if (this.#isDead) return NEVER;
    const isTarget = this.#isTarget(key, record);
    // A crash point found impossible stops the process there too: nothing of the step runs on.
    if (this.#isDead) return NEVER;
    if (!isTarget) {
      const outcome = await this.#inner.writeOperation(key, record, expected);
      if (outcome.ok && key.executionId === this.#executionId) this.#written.add(record.position);
      return this.#isDead ? NEVER : outcome;
    }
    if ('beforeCheckpoint' in this.#point) return this.#die(record);
    const outcome = await this.#inner.writeOperation(key, record, expected);
    // A refused write is another writer's record standing there: not this checkpoint, the point stays armed.
    return outcome.ok ? this.#die(record) : outcome;
  }

  claim: CheckpointStore['claim'] = (request) => this.#pass(() => this.#inner.claim(request));
  loadJournal: CheckpointStore['loadJournal'] = (key) => this.#pass(() => this.#inner.loadJournal(key));
  transition: CheckpointStore['transition'] = (key, owner, to, now) =>
    this.#pass(() => this.#inner.transition(key, owner, to, now));
  requestResume: CheckpointStore['requestResume'] = (key, at) => this.#pass(() => this.#inner.requestResume(key, at));
  repinExecution: CheckpointStore['repinExecution'] = (key, request) =>
    this.#pass(() => this.#inner.repinExecution(key, request));
  getExecution: CheckpointStore['getExecution'] = (key) => this.#pass(() => this.#inner.getExecution(key));
  listExecutions: CheckpointStore['listExecutions'] = (query) => this.#pass(() => this.#inner.listExecutions(query));
  findResumable: CheckpointStore['findResumable'] = (query) => this.#pass(() => this.#inner.findResumable(query));

  async #pass<T>(call: () => Promise<T>): Promise<T> {
    if (this.#isDead) return NEVER;
    const answer = await call();
    // An answer that arrives after the death reaches nobody.
    return this.#isDead ? NEVER : answer;
  }

  #isTarget(key: ExecutionKey, record: OperationRecord): boolean {
    if (key.executionId !== this.#executionId) return false;
    const target = this.#target;
    // No name looks like a position (`3`, `7.2.1`) but a sleep's or callback's chosen so: either matches.
    const isHere = record.position === String(target) || record.name === target;
    if (!isHere) return false;
    // An at-most-once step's STARTED record is its intent, written before the body: the checkpoint is its outcome.
    const isIntent = record.kind === 'step' && record.status === 'STARTED';
    if (!('beforeSideEffect' in this.#point)) return !isIntent;
    if (record.kind !== 'step') {
      this.#impossible(`'${target}' is a ${record.kind}, not a step: beforeSideEffect names an at-most-once step.`);
      return false;
    }
    if (!isIntent) {
      // Its body already ran: an at-least-once step records nothing before it.
      this.#impossible(
        `step '${target}' is at-least-once: nothing of it is recorded before its body runs, so a crash before its ` +
          'side effect is a crash after the checkpoint of the operation before it (afterCheckpoint).',
      );
      return false;
    }
    return true;
  }

  #impossible(problem: string): void {
    this.#isDead = true;
    this.#failed?.(new InvalidCrashPointError(problem));
  }

  #die(record: OperationRecord): Promise<never> {
    this.#isDead = true;
    this.#hit?.({
      executionId: this.#executionId,
      position: record.position,
      kind: record.kind,
      name: record.name,
      point: describeCrashPoint(this.#point),
    });
    return NEVER;
  }
}
