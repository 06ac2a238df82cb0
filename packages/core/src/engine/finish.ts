import type { Logger } from '../context/logger.js';
import { type DurableError, ExecutionBusyError } from '../errors.js';
import type { ExecutionKey, ExecutionRecord } from '../journal/records.js';
import { deserialize, serializeError } from '../serde/serialize.js';
import type { CheckpointStore, ExecutionTransition } from '../stores/checkpoint-store.js';
import { isFinished } from '../stores/store-rules.js';

/** What an invocation answers. A FAILED execution throws its recorded error instead. */
export type ExecutionResult<Output = unknown> =
  | { status: 'SUCCEEDED'; executionId: string; output: Output }
  | { status: 'SUSPENDED'; executionId: string; resumeAt?: number };

/**
 * The last write of an invocation that holds the lease: end the execution,
 * suspend it, or release it after an error. Each is one conditional write on
 * the execution record, refused when the lease was taken over meanwhile (then
 * the invocation that took it decides) or the execution already finished (a
 * lost answer of this very write, or a racing invocation: what stands is the
 * outcome).
 */
export class InvocationEnd {
  #isSettled = false;

  constructor(
    private readonly store: CheckpointStore,
    private readonly key: ExecutionKey,
    private readonly owner: string,
    private readonly settings: {
      now: () => number;
      logger: Logger;
      maxPayloadBytes: number;
      /** TTL of the finished record: never earlier than the journal's own. */
      finishedExpiresAt: () => number;
    },
  ) {}

  /** True once the execution's outcome (this invocation's, or one found recorded) is decided in the store. */
  get isSettled(): boolean {
    return this.#isSettled;
  }

  async succeed(output: string): Promise<ExecutionResult> {
    const winner = await this.#transition({
      status: 'SUCCEEDED',
      output,
      expiresAt: this.settings.finishedExpiresAt(),
    });
    return winner ?? { status: 'SUCCEEDED', executionId: this.key.executionId, output: deserialize(output) };
  }

  /** Records `error` as the execution's outcome and throws it (Lambda destinations see it). */
  async fail(error: unknown): Promise<ExecutionResult> {
    const serialized = serializeError(error, this.settings.maxPayloadBytes);
    const winner = await this.#transition({
      status: 'FAILED',
      error: serialized,
      expiresAt: this.settings.finishedExpiresAt(),
    });
    if (winner !== undefined) return winner;
    throw error;
  }

  /** Ends the execution FAILED with an error of the engine's own (non-determinism, timeout), logged loudly. */
  async failLoudly(error: DurableError): Promise<ExecutionResult> {
    this.settings.logger.error(error.message, { ...this.key, code: error.code });
    return this.fail(error);
  }

  async suspend(resumeAt: number): Promise<ExecutionResult> {
    const winner = await this.#transition({ status: 'SUSPENDED', resumeAt });
    return winner ?? { status: 'SUSPENDED', executionId: this.key.executionId, resumeAt };
  }

  /**
   * Gives the lease back after an error, with the execution due at once, so a
   * retry (Lambda's own, or the sweeper's) resumes it instead of waiting for
   * the lease to expire. Best effort: with the store down the lease expires.
   */
  async release(cause: unknown): Promise<void> {
    try {
      await this.store.transition(
        this.key,
        this.owner,
        { status: 'SUSPENDED', resumeAt: this.settings.now() },
        this.settings.now(),
      );
    } catch (error) {
      this.settings.logger.warn('could not release the lease; it expires on its own', {
        ...this.key,
        cause: String((cause as Error)?.message ?? cause),
        error: String((error as Error)?.message ?? error),
      });
    }
  }

  /** Writes `to`; when refused because the execution already finished, resolves with (or throws) that outcome. */
  async #transition(to: ExecutionTransition): Promise<ExecutionResult | undefined> {
    const written = await this.store.transition(this.key, this.owner, to, this.settings.now());
    if (written.ok) {
      this.#isSettled = true;
      return undefined;
    }
    const current = written.current;
    if (current !== undefined && isFinished(current.status)) {
      this.#isSettled = true;
      return answerFinished(current);
    }
    if (to.status === 'SUSPENDED' && current?.status === 'SUSPENDED' && current.leaseOwner === undefined) {
      // Suspended already, with nobody holding it: this write's own answer was lost, or a newer invocation
      // suspended it. Either way it waits as recorded.
      this.#isSettled = true;
      return {
        status: 'SUSPENDED',
        executionId: this.key.executionId,
        ...(current.resumeAt === undefined ? {} : { resumeAt: current.resumeAt }),
      };
    }
    throw new ExecutionBusyError(
      this.key.executionId,
      current?.leaseExpiresAt,
      'another invocation took over its lease while this one ran; it decides the outcome',
    );
  }
}

/** A finished execution answers what it recorded, running nothing: its output, or its error thrown. */
export function answerFinished(record: ExecutionRecord): ExecutionResult {
  if (record.status === 'FAILED') throw deserialize(record.error ?? 'null');
  return { status: 'SUCCEEDED', executionId: record.executionId, output: deserialize(record.output ?? 'null') };
}
