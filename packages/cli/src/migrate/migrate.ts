import path from 'node:path';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type CheckpointStore, DynamoDbStore, type ExecutionRecord, type PinnedVersion } from '@durable/core';
import { openDeployClients } from '../deploy/deploy-clients.js';
import { listPublishedVersions } from '../deploy/function-versions.js';
import { readManifestFile } from '../deploy/manifest-file.js';
import { listPinnedExecutions, type PinnedExecution } from '../deploy/pinned-executions.js';
import { MigrateError } from './migrate-error.js';
import { askReplayCheck } from './replay-check-invoke.js';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** The app's root folder. */
  root: string;
  /** The folder `generate` wrote, relative to `root` (default `generated`). */
  generatedDir?: string;
  service: string;
  /** The published version to move executions to. */
  to: string;
  /** Only executions pinned to this version (default: every version older than `to`). */
  from?: string | undefined;
  /** A Lambda API other than AWS's, e.g. `durable-gen dev`'s URL (which serves DynamoDB too). */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Check each execution, move none. */
  dryRun?: boolean;
  /** Engine-clock epoch ms, to tell live leases and due resumes. Default `Date.now`. */
  now?: () => number;
}

/** What became of one running execution. */
export type MigrationOutcome = { executionId: string; from: string } & (
  | {
      outcome: 'moved';
      /** How it goes on: migrate invoked the new version, or the sweeper or its callback's completion will. */
      resumedBy: 'migrate' | 'sweeper' | 'callback';
    }
  | { outcome: 'would-move' }
  | { outcome: 'diverges'; position: string; message: string }
  | { outcome: 'busy'; reason: string }
  | { outcome: 'check-failed'; message: string }
);

/** What {@link migrate} did. */
export interface MigrateResult {
  service: string;
  functionName: string;
  to: string;
  dryRun: boolean;
  executions: MigrationOutcome[];
}

/**
 * Moves a service's running executions pinned to older versions to version `to`, each only when that version's
 * code replays its journal: the check runs on the deployed version itself (the replay-check event), and the move
 * is one conditional write that holds only if nothing ran the execution since the check. A moved execution that
 * is due goes on at once on the new version; one waiting for a sleep or a callback goes on there when that ends.
 * Executions the new code does not replay stay where they are, listed with the position they diverge at.
 *
 * @throws MigrateError before anything is checked: an unknown or lambda-durable service, one never deployed, a
 *   `to` that is not a published version of its function or not newer than `from`.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const now = options.now ?? Date.now;
  const { service, to, from } = options;
  for (const [flag, value] of [
    ['--to', to],
    ['--from', from],
  ] as const) {
    if (value !== undefined && !/^[1-9]\d*$/.test(value)) {
      throw new MigrateError('BAD_VERSION', `${flag} '${value}' is not a published version number (1, 2, …)`);
    }
  }
  if (from !== undefined && Number(from) >= Number(to)) {
    throw new MigrateError(
      'VERSION_NOT_NEWER',
      `--to ${to} is not newer than --from ${from}: migrate only moves executions forward, to a version deployed after theirs`,
    );
  }
  const manifestPath = path.resolve(options.root, options.generatedDir ?? 'generated', 'manifest.json');
  const manifest = readManifestFile(manifestPath);
  const entry = manifest.services[service];
  if (entry === undefined) {
    const known = Object.keys(manifest.services).sort().join(', ') || 'none';
    throw new MigrateError('UNKNOWN_SERVICE', `the manifest has no service '${service}' (it has: ${known})`);
  }
  if (entry.table === undefined || entry.backend === 'lambda-durable') {
    throw new MigrateError(
      'LAMBDA_DURABLE',
      `service '${service}' runs on lambda-durable: AWS Lambda durable functions pin each execution to its version ` +
        'and keep its journal themselves; there is nothing durable-gen can move',
    );
  }
  const deployment = entry.deployment;
  if (deployment == null) {
    throw new MigrateError('NOT_DEPLOYED', `service '${service}' has no recorded deployment: deploy it first`);
  }
  const functionArn = deployment.functionArn ?? entry.functionArn;
  const clients = await openDeployClients(options.endpoint ?? deployment.endpoint, options.region);
  try {
    const published = await listPublishedVersions(clients.lambda, service, entry.functionName);
    if (!published.includes(to)) {
      throw new MigrateError(
        'VERSION_NOT_PUBLISHED',
        `version ${to} is not a published version of function ${entry.functionName} ` +
          `(published: ${published.join(', ') || 'none'}): deploy the new code first, then migrate to its version`,
      );
    }
    const store = new DynamoDbStore({ client: clients.dynamoDb, tableName: entry.table });
    const candidates = (await listPinnedExecutions(store, service, functionArn)).filter(
      ({ pinned }) => Number(pinned.version) < Number(to) && (from === undefined || pinned.version === from),
    );
    const target: PinnedVersion = { functionArn, version: to };
    const executions: MigrationOutcome[] = [];
    for (const candidate of candidates) {
      executions.push(
        await migrateOne(clients.lambda, store, candidate, {
          service,
          functionName: entry.functionName,
          target,
          dryRun: options.dryRun === true,
          now,
        }),
      );
    }
    return { service, functionName: entry.functionName, to, dryRun: options.dryRun === true, executions };
  } finally {
    clients.destroy();
  }
}

async function migrateOne(
  lambda: LambdaClient,
  store: CheckpointStore,
  { record, pinned }: PinnedExecution,
  options: { service: string; functionName: string; target: PinnedVersion; dryRun: boolean; now: () => number },
): Promise<MigrationOutcome> {
  const { executionId } = record;
  const base = { executionId, from: pinned.version };
  if (record.status !== 'SUSPENDED') {
    // Only a suspended execution can move: a RUNNING one's invocation may still be writing (its lease is judged by
    // clocks that may disagree), and what it writes next is what the check must see.
    return {
      ...base,
      outcome: 'busy',
      reason:
        'an invocation is running it (or died: the sweeper resumes it on its version); migrate again once it is suspended',
    };
  }
  const answer = await askReplayCheck(lambda, {
    functionName: options.functionName,
    version: options.target.version,
    service: options.service,
    executionId,
  });
  if ('failed' in answer) return { ...base, outcome: 'check-failed', message: answer.failed };
  const { verdict } = answer;
  if (!verdict.compatible) {
    return { ...base, outcome: 'diverges', position: verdict.position, message: verdict.message };
  }
  if (options.dryRun) return { ...base, outcome: 'would-move' };
  const key = { service: options.service, executionId };
  // The epoch the verdict holds for: a claim since then may have recorded more than the check replayed.
  const moved = await store.repinExecution(key, { from: pinned, to: options.target, invocations: verdict.invocations });
  // Read again either way: a refusal may be the SDK's retry of a write whose answer was lost, and a moved
  // execution may have been resumed or completed meanwhile.
  const now = await store.getExecution(key);
  const isMoved =
    now?.pinnedVersion?.version === options.target.version &&
    now.pinnedVersion.functionArn === options.target.functionArn &&
    now.invocations === verdict.invocations;
  if (!moved && !isMoved) {
    return {
      ...base,
      outcome: 'busy',
      reason: 'it ran or changed since the check; run migrate again to check it anew',
    };
  }
  const resumedBy = await resumer(store, now ?? record, options.now());
  if (resumedBy !== 'migrate') return { ...base, outcome: 'moved', resumedBy };
  try {
    // Asynchronous, as the sweeper resumes: the execution runs on the new version, migrate does not wait for it.
    await lambda.send(
      new InvokeCommand({
        FunctionName: `${options.functionName}:${options.target.version}`,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ executionId })),
      }),
    );
    return { ...base, outcome: 'moved', resumedBy: 'migrate' };
  } catch {
    // Moved all the same, and due: the sweeper's next round resumes it on the version it is pinned to now.
    return { ...base, outcome: 'moved', resumedBy: 'sweeper' };
  }
}

/**
 * Who resumes a moved execution: its callback's completion, when it waits for one; the sweeper, when it sleeps
 * until later (both invoke the version the execution is pinned to, now the new one); else migrate, at once.
 */
async function resumer(
  store: CheckpointStore,
  record: ExecutionRecord,
  now: number,
): Promise<'migrate' | 'sweeper' | 'callback'> {
  if (record.status !== 'SUSPENDED' || (record.resumeAt !== undefined && record.resumeAt <= now)) return 'migrate';
  // A callback's wait keeps a resumeAt too (its timeout): the journal tells it from a sleep.
  const journal = await store.loadJournal(record);
  const waitsForCallback = journal.some((operation) => operation.kind === 'callback' && operation.status === 'STARTED');
  if (waitsForCallback || record.resumeAt === undefined) return 'callback';
  return 'sweeper';
}
