import { setTimeout as delay } from 'node:timers/promises';
import type { CheckpointStore, ExecutionKey, ExecutionRecord } from '../../packages/core/src/index.js';
import { startWorker, type Worker } from '../crash/spawn-worker.js';
import { READY_MARKER, WORKER_ENV } from '../crash/worker-protocol.js';
import { type CheckpointMode, checkpointModeEnv, STRICT } from '../support/checkpoint-modes.js';
import { readJsonLines } from '../support/json-lines.js';
import type { SideEffect } from './ledger-service.js';

/** The parent side of ledger-worker.ts: starting one, and waiting out the lease of one that died. */

/** Settings of a ledger worker besides test/crash's WORKER_ENV. */
export const LEDGER_WORKER_ENV = {
  table: 'RELIABILITY_TABLE',
  ledger: 'RELIABILITY_LEDGER',
  pauseMs: 'RELIABILITY_PAUSE_MS',
} as const;

export interface LedgerWorkerOptions {
  endpoint: string;
  table: string;
  executionId: string;
  ledger: string;
  sideEffectLog: string;
  leaseMs: number;
  pauseMs: number;
  /** Hang right after this step's side effect (before its checkpoint), printing `hangingMarker(step)`. */
  hangInStep?: number;
  /** The checkpoint mode: strict (the default) unless it is pipelined. */
  mode?: CheckpointMode;
}

/** Starts a ledger worker and resolves once it is loaded and waits at the start barrier (`release()` runs it). */
export async function startLedgerWorker(options: LedgerWorkerOptions): Promise<Worker> {
  const worker = startWorker('../reliability/ledger-worker.ts', {
    [WORKER_ENV.endpoint]: options.endpoint,
    [WORKER_ENV.executionId]: options.executionId,
    [WORKER_ENV.sideEffectLog]: options.sideEffectLog,
    [WORKER_ENV.leaseMs]: String(options.leaseMs),
    [LEDGER_WORKER_ENV.table]: options.table,
    [LEDGER_WORKER_ENV.ledger]: options.ledger,
    [LEDGER_WORKER_ENV.pauseMs]: String(options.pauseMs),
    ...(options.hangInStep === undefined ? {} : { [WORKER_ENV.hangInStep]: String(options.hangInStep) }),
    ...checkpointModeEnv(options.mode ?? STRICT),
  });
  await worker.waitForLine(READY_MARKER);
  return worker;
}

/** Printed by a worker (straight to stdout) right after each side effect, so the parent can aim a kill. */
export function effectMarker(step: number): string {
  return `EFFECT step=${step}`;
}

/** Margin after a lease's expiry, so the next claim's clock is surely past it. */
const LEASE_MARGIN_MS = 50;

/**
 * Waits until no live lease stands on the execution: reads `leaseExpiresAt`
 * from its record (a dead invocation's lease runs out on its own) rather than
 * sleeping a guessed time. Returns the record as it was read.
 */
export async function waitForLeaseExpiry(
  store: CheckpointStore,
  key: ExecutionKey,
): Promise<ExecutionRecord | undefined> {
  const record = await store.getExecution(key);
  if (record?.status === 'RUNNING' && record.leaseExpiresAt !== undefined) {
    const waitMs = record.leaseExpiresAt - Date.now() + LEASE_MARGIN_MS;
    if (waitMs > 0) await delay(waitMs);
  }
  return record;
}

/** The side-effect log a ledger worker appends to, in order; an absent file is an empty log. */
export function readLedgerEffects(path: string): Promise<SideEffect[]> {
  return readJsonLines<SideEffect>(path);
}
