/**
 * Child process of the crash campaign and the lease-expiry tests: loads the
 * ledger service, waits at the start barrier (so its start-up cost is paid
 * while the parent waits for a lease to expire), then runs one invocation of
 * one execution against DynamoDB and reports like test/crash's workers.
 * Each step appends `{ execution, step, pid }` to the side-effect log and
 * prints `effectMarker(step)`. With
 * CRASH_HANG_IN_STEP=n it hangs right after step n's side effect, before its
 * checkpoint, for the parent to SIGKILL it there.
 */
import { appendFileSync, writeSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHandler, DynamoDbStore } from '../../packages/core/src/index.js';
import {
  hangingMarker,
  invokeAndReport,
  requiredEnv,
  stderrLogger,
  WORKER_ENV,
  waitAtStartBarrier,
} from '../crash/worker-protocol.js';
import { LedgerService, setLedgerHooks } from './ledger-service.js';
import { effectMarker, LEDGER_WORKER_ENV } from './ledger-worker-process.js';

const sideEffectLog = requiredEnv(WORKER_ENV.sideEffectLog);
const hangInStep = Number(process.env[WORKER_ENV.hangInStep] ?? Number.NaN);
setLedgerHooks({
  pauseMs: Number(process.env[LEDGER_WORKER_ENV.pauseMs] ?? '0'),
  sideEffect: (effect) => {
    appendFileSync(sideEffectLog, `${JSON.stringify(effect)}\n`);
    writeSync(1, `${effectMarker(effect.step)}\n`);
    if (effect.step !== hangInStep) return;
    // Straight to fd 1: the marker is out before the parent's SIGKILL can come.
    writeSync(1, `${hangingMarker(effect.step)}\n`);
    // A pending promise alone would let the process exit: the interval keeps it alive until the SIGKILL.
    return new Promise<never>(() => setInterval(() => {}, 60_000));
  },
});

const client = new DynamoDBClient({
  endpoint: requiredEnv(WORKER_ENV.endpoint),
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const handler = createHandler(LedgerService, {
  store: new DynamoDbStore({ client, tableName: process.env[LEDGER_WORKER_ENV.table] ?? 'durable-test' }),
  leaseMs: Number(requiredEnv(WORKER_ENV.leaseMs)),
  logger: stderrLogger,
});
const executionId = requiredEnv(WORKER_ENV.executionId);
const ledger = requiredEnv(LEDGER_WORKER_ENV.ledger);

await waitAtStartBarrier();
await invokeAndReport(handler, { executionId, input: { ledger } });
client.destroy();
