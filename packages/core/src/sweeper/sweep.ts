import type { Logger } from '../context/logger.js';
import { ConfigurationError } from '../errors.js';
import type { Resumer } from '../invoke/resumer.js';
import type { PinnedVersion } from '../journal/records.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';

/** Due executions resumed per sweep; a fuller backlog is taken by the next sweeps. */
export const SWEEP_LIMIT = 100;

/** What one sweep did: the `SWEPT` answer of a handler to a sweep event. */
export interface SweepResult {
  status: 'SWEPT';
  service: string;
  /** Execution ids whose resume was sent, each with the qualified ARN it went to. */
  resumed: Array<{ executionId: string; functionArn: string }>;
  /** Executions that are due but could not be resumed, with why: the next sweep tries them again. */
  failed: Array<{ executionId: string; error: string }>;
  /** True when the sweep stopped at its limit: more executions may be due. */
  more: boolean;
}

/** What a sweep needs. */
export interface SweepOptions {
  store: CheckpointStore;
  service: string;
  now: number;
  resumer: Resumer | undefined;
  /** The version the sweeper runs: where executions pinned to none (older ones) are resumed. */
  sweeperVersion: PinnedVersion | undefined;
  logger: Logger;
  limit?: number;
}

/**
 * Resumes what is due in one service: SUSPENDED executions past their
 * `resumeAt` and RUNNING ones whose lease expired (one query of the
 * service's own partition of the `resumable` index), each re-invoked on the
 * version it is pinned to, never an alias or `$LATEST`, so that it replays on
 * the code that recorded it. A resume that fails does not stop the others;
 * the execution stays due and the next sweep tries again. Two sweeps at once
 * are harmless: a second resume of one execution finds it claimed, or
 * finished, and writes nothing.
 */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const { store, service, now, resumer, sweeperVersion, logger } = options;
  if (resumer === undefined) {
    throw new ConfigurationError(
      `The handler of '${service}' got a sweep event but has no resumer: generated handlers pass ` +
        "new LambdaResumer() from '@durable/core/lambda'; pass one to createHandler({ resumer }) to sweep.",
    );
  }
  const limit = options.limit ?? SWEEP_LIMIT;
  const due = await store.findResumable({ service, now, limit });
  const result: SweepResult = { status: 'SWEPT', service, resumed: [], failed: [], more: due.length >= limit };
  for (const execution of due) {
    const pinned = execution.pinnedVersion ?? sweeperVersion;
    if (pinned === undefined) {
      result.failed.push({
        executionId: execution.executionId,
        error: 'it is pinned to no version, and the sweeper runs outside a published version: resume it by hand',
      });
      continue;
    }
    const functionArn = `${pinned.functionArn}:${pinned.version}`;
    try {
      await resumer.resume(functionArn, execution.executionId);
      result.resumed.push({ executionId: execution.executionId, functionArn });
    } catch (error) {
      result.failed.push({ executionId: execution.executionId, error: oneLine(error) });
    }
  }
  if (result.failed.length > 0) {
    logger.error('sweep: some due executions could not be resumed; the next sweep tries again', {
      service,
      failed: result.failed,
    });
  }
  logger.info('sweep', { service, resumed: result.resumed.length, failed: result.failed.length, more: result.more });
  return result;
}

/** `Name (CODE): message`, for the sweep's report. */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message}`;
}
