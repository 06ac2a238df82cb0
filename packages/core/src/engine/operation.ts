import type { Basis, Scope } from '../context/active-scope.js';
import { ExecutionBusyError } from '../errors.js';
import {
  type ExpectedOperation,
  isFinalStatus,
  type OperationRecord,
  type OperationSignature,
} from '../journal/records.js';
import { deserialize, serializeBounded, serializeError } from '../serde/serialize.js';
import type { Execution } from './execution.js';
import { judgeRefusal } from './fencing.js';
import type { OperationEvent } from './observer.js';
import { NEVER } from './suspension.js';

/** What a final checkpoint records: a value, or an error. */
export type Outcome = { value: unknown } | { error: unknown };

/** The fields of a record an operation kind chooses; the rest ({@link Operation.record}) are the same for all. */
export type RecordFields = Pick<OperationRecord, 'status' | 'attempt'> &
  Partial<Pick<OperationRecord, 'result' | 'error' | 'wakeAt' | 'owner' | 'retryAt' | 'timeoutAt'>>;

/**
 * One durable operation at one position: the path every kind goes through
 * (Execution.begin → replay check → run → checkpoint → adopt if the same).
 * Kinds (operations/*.ts) decide what to run and what to record; writing,
 * fencing, adopting and answering happen here, once.
 */
export class Operation {
  constructor(
    readonly execution: Execution,
    readonly scope: Scope,
    readonly position: string,
    readonly signature: OperationSignature,
    /** What this operation's path depended on: the scope's last outcome when it was called. */
    readonly follows: Basis | undefined,
    /** The trusted record at this position, already checked against `signature`. */
    readonly recorded: OperationRecord | undefined,
    readonly semantics?: 'at-most-once',
  ) {}

  /** This operation with other step semantics (the recorded ones, which win over the code's). */
  withSemantics(isAtMostOnce: boolean): Operation {
    const semantics = isAtMostOnce ? 'at-most-once' : undefined;
    return new Operation(
      this.execution,
      this.scope,
      this.position,
      this.signature,
      this.follows,
      this.recorded,
      semantics,
    );
  }

  /** True when the journal holds this operation's final outcome: replay answers it without running anything. */
  get isFinished(): boolean {
    return this.recorded !== undefined && isFinal(this.recorded);
  }

  /** A record of this operation with the fields every write carries. */
  record(fields: RecordFields): OperationRecord {
    const { epoch, expiresAt } = this.execution.journalStamp;
    const { args, ...signature } = this.signature;
    return {
      position: this.position,
      ...signature,
      ...fields,
      updatedAt: this.execution.clock(),
      epoch,
      ...(this.follows === undefined ? {} : { follows: this.follows }),
      ...(this.semantics === undefined ? {} : { semantics: this.semantics }),
      ...(args === undefined ? {} : { args }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
  }

  /**
   * Writes `record` if `expected` stands at the position (first writer wins)
   * and resolves with the record that stands there now: `record` itself, or
   * the same operation finished by another invocation. Any other refusal stops
   * the invocation: the promise never resolves.
   */
  async write(record: OperationRecord, expected: ExpectedOperation): Promise<OperationRecord> {
    const execution = this.execution;
    if (execution.hasEnded) return NEVER;
    const outcome = await execution.checkpoints.write(record, this.#expect(expected));
    if (outcome.ok) return record;
    const refusal = judgeRefusal(record, outcome.current, execution.journalStamp.epoch);
    if (refusal.kind === 'own') return record;
    if (refusal.kind === 'adopt') return refusal.winner;
    return this.#stop(refusal.reason);
  }

  /**
   * Records a final outcome and answers it as a replay would: the value after
   * a round trip through the journal, so the first run and every replay see
   * the same thing. A value over `maxPayloadBytes` records its
   * PayloadTooLargeError instead; an error is cut to fit.
   */
  async settle(
    outcome: Outcome,
    expected: ExpectedOperation,
    { durationMs, attempt = 1, pipelined = false }: { durationMs: number; attempt?: number; pipelined?: boolean },
  ): Promise<unknown> {
    const record = this.record({ ...this.#encode(outcome), attempt });
    if (!pipelined) {
      const standing = await this.write(record, expected);
      return this.answer(standing, standing === record ? undefined : 'replayed', durationMs);
    }
    await this.execution.checkpoints.pipeline(record, this.#expect(expected), (written) => {
      if (written.ok) return this.#emitSettled(record, durationMs);
      const refusal = judgeRefusal(record, written.current, this.execution.journalStamp.epoch);
      if (refusal.kind === 'own') return this.#emitSettled(record, durationMs);
      // The workflow already went on, and what it wrote since follows this record with this invocation's epoch:
      // even the same outcome, recorded by another invocation, leaves those records untrusted. Stop here, before
      // anything others can observe (every such operation waits for the pipelined writes first).
      this.#stop(
        refusal.kind === 'adopt' ? `position ${this.position} was recorded by another invocation` : refusal.reason,
      );
    });
    this.scope.basis = { position: this.position, epoch: record.epoch };
    return reply(record);
  }

  /**
   * Answers a record standing at this position: returns its value or throws
   * its error. The scope's next operation follows it.
   */
  answer(record: OperationRecord, outcome?: OperationEvent['outcome'], durationMs = 0): unknown {
    this.scope.basis = { position: this.position, epoch: record.epoch };
    if (outcome === undefined) this.#emitSettled(record, durationMs);
    else this.emit(outcome, record.attempt, durationMs);
    return reply(record);
  }

  /** Moves the scope's basis to a record that answers nothing (a sleep that woke, a finished parallel). */
  follow(record: OperationRecord): void {
    this.scope.basis = { position: this.position, epoch: record.epoch };
  }

  emit(outcome: OperationEvent['outcome'], attempt: number, durationMs: number): void {
    const { kind, name } = this.signature;
    this.execution.emit({ position: this.position, kind, name, outcome, attempt, durationMs });
  }

  #emitSettled(record: OperationRecord, durationMs: number): void {
    this.emit(record.status === 'SUCCEEDED' ? 'executed' : 'failed', record.attempt, durationMs);
  }

  /** What a write expects: as asked, or the untrusted record it replaces. */
  #expect(expected: ExpectedOperation): ExpectedOperation {
    if (expected !== null) return expected;
    const untrusted = this.execution.replay.takeUntrusted(this.position);
    return untrusted === undefined
      ? null
      : { status: untrusted.status, attempt: untrusted.attempt, epoch: untrusted.epoch };
  }

  #encode(outcome: Outcome): Omit<RecordFields, 'attempt'> {
    const { maxPayloadBytes } = this.execution;
    if ('value' in outcome) {
      try {
        const what = `the result of ${this.signature.kind} '${this.signature.name}'`;
        return { status: 'SUCCEEDED', result: serializeBounded(outcome.value, what, maxPayloadBytes) };
      } catch (error) {
        return { status: 'FAILED', error: serializeError(error, maxPayloadBytes) };
      }
    }
    return { status: 'FAILED', error: serializeError(outcome.error, maxPayloadBytes) };
  }

  #stop(reason: string): Promise<never> {
    this.execution.stop(new ExecutionBusyError(this.execution.executionId, undefined, reason));
    return NEVER;
  }
}

/** SUCCEEDED or FAILED: the operation has its outcome. */
export function isFinal(record: OperationRecord): boolean {
  return isFinalStatus(record.status);
}

/** A final record's value, or its error thrown. */
function reply(record: OperationRecord): unknown {
  if (record.status === 'FAILED') throw deserialize(record.error ?? 'null');
  return deserialize(record.result ?? '{"$t":"undefined"}');
}
