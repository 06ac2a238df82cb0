import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ManifestService } from '@durable/codegen';
import { DynamoDbStore, parseLambdaArn } from '@durable/core';
import { DEFAULT_ALIAS } from '../deployed-service.js';
import { checkArn, checkRegions, checkRole, checkSettings } from './deploy-checks.js';
import { type DeployClients, openDeployClients } from './deploy-clients.js';
import { DeployError } from './deploy-error.js';
import { type PlannedService, planDeploy } from './deploy-plan.js';
import { writeDeployedSchema } from './deployed-schema.js';
import { deploymentRecord, schemaHashesOf, staleCallers } from './deployment-record.js';
import { deployFunction, type ExistingFunction, type FunctionChange, findFunction } from './function-deploy.js';
import { recordDeployment } from './manifest-file.js';
import { checkDurableConfig, durableConfigOf, isLambdaDurable } from './native-function.js';
import { type PruneOutcome, pruneVersions } from './prune-versions.js';
import { type RunningExecutionsReport, reportRunningExecutions } from './running-executions.js';
import { ensureSweepSchedule, type ScheduleOutcome } from './sweep-schedule.js';

/** Options of {@link deploy}; the defaults are the command's. */
export interface DeployOptions {
  /** The app's root folder. */
  root: string;
  /** The folder `generate` wrote, relative to `root` (default `generated`). */
  generatedDir?: string;
  /** Only these services (default: every service of the manifest). */
  services?: readonly string[] | undefined;
  /** A Lambda API other than AWS's, e.g. `durable-gen dev`'s URL (which serves DynamoDB too). */
  endpoint?: string | undefined;
  /** The execution role of functions deploy creates (existing ones keep theirs unless it is given). */
  role?: string | undefined;
  /** The alias moved to each published version (default `live`). */
  alias?: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  /**
   * The app's own variables (`--env KEY=VALUE`), set on every function. A function's environment is exactly
   * these plus the ones deploy owns: a variable set by other means is removed at the next deploy.
   */
  environment?: Readonly<Record<string, string>>;
  /** The role EventBridge Scheduler assumes to invoke the sweep; required on AWS. */
  scheduleRole?: string | undefined;
  /**
   * After deploying, delete each service's published versions older than the live one that no alias points to
   * and no running execution is pinned to (`--prune-versions`). Versions with running executions are kept.
   */
  pruneVersions?: boolean;
  /** Told as each step starts, for people watching a slow deploy. */
  onProgress?: (message: string) => void;
  now?: () => Date;
}

/** One deployed service. */
export interface DeployedService {
  name: string;
  functionName: string;
  version: string;
  alias: string;
  qualifiedArn: string;
  aliasArn: string;
  change: FunctionChange;
  schedule: ScheduleOutcome;
  /** What the new code means for executions running on earlier versions (dynamodb backend, existing function). */
  running?: RunningExecutionsReport;
}

/** What {@link deploy} did: the services in the order deployed, the tables, the policies to attach. */
export interface DeployResult {
  services: DeployedService[];
  tables: { name: string; created: boolean }[];
  /** `generated/iam/<service>.json` of each deployed service: what its function's role needs. */
  policies: { service: string; file: string }[];
  /**
   * Services not deployed in this run that invoke one whose live version moved: they still invoke the version
   * their environment names until they are deployed too.
   */
  staleCallers: { service: string; callee: string }[];
  /** With `pruneVersions`: what was deleted and kept of each dynamodb-backend service's versions. */
  pruned: PruneOutcome[];
}

/** Lambda's defaults would be 3 s and 128 MB: too little for a bundle with the AWS SDK inside. */
export const DEPLOY_DEFAULTS = { alias: DEFAULT_ALIAS, timeoutSeconds: 60, memoryMb: 512, generatedDir: 'generated' };

/**
 * Deploys each service of the app's manifest to a Lambda API by version:
 * its checkpoint table first, then every function callees first, each with
 * its callees' published version ARNs in its environment; publishes a
 * version, moves the alias to it and (on AWS) schedules its sweep. Every
 * check that needs no change (zips, order, region, account of existing
 * functions, roles) runs before anything is created; the manifest records
 * each service as soon as it is live, and `<generated>/deployed/<service>.json`
 * keeps the schema that went live. Before publishing a dynamodb-backend
 * service it replays the executions still running on earlier versions against
 * the code being deployed, to report what the new version means for them
 * (they stay pinned whatever it says). With `pruneVersions`, it then deletes
 * the older versions nothing runs on.
 *
 * @throws DeployError naming the service, the operation and what to do.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const alias = options.alias ?? DEPLOY_DEFAULTS.alias;
  const timeoutSeconds = options.timeoutSeconds ?? DEPLOY_DEFAULTS.timeoutSeconds;
  const memoryMb = options.memoryMb ?? DEPLOY_DEFAULTS.memoryMb;
  checkSettings(alias, timeoutSeconds, memoryMb);
  checkRole('--role', options.role);
  checkRole('--schedule-role', options.scheduleRole);
  const generatedDir = options.generatedDir ?? DEPLOY_DEFAULTS.generatedDir;
  const plan = planDeploy({ root: options.root, generatedDir, services: options.services, endpoint: options.endpoint });
  const sweeps = plan.services.some((service) => !isLambdaDurable(service.entry));
  if (options.endpoint === undefined && options.scheduleRole === undefined && sweeps) {
    throw new DeployError(
      'SCHEDULE_ROLE_REQUIRED',
      "on AWS, deploy schedules each service's sweep with EventBridge Scheduler: pass --schedule-role with the ARN of " +
        "a role Scheduler may assume that allows lambda:InvokeFunction on the functions' aliases (nothing was deployed)",
    );
  }
  const progress = options.onProgress ?? (() => {});
  const now = options.now ?? (() => new Date());

  const clients = await openDeployClients(options.endpoint);
  try {
    checkRegions(plan.services, clients.region);
    const existing = new Map<string, ExistingFunction | undefined>();
    for (const service of plan.services) {
      const found = await findFunction(clients.lambda, service.name, service.entry.functionName);
      if (found !== undefined) {
        checkArn(service, found.configuration.FunctionArn);
        checkDurableConfig(service.name, found.configuration, durableConfigOf(service.name, service.entry));
      }
      existing.set(service.name, found);
    }
    const toCreate = plan.services.filter((service) => existing.get(service.name) === undefined);
    if (toCreate.length > 0 && options.role === undefined) {
      throw new DeployError(
        'ROLE_REQUIRED',
        `${toCreate.map((s) => `'${s.entry.functionName}'`).join(', ')} ${toCreate.length === 1 ? 'does' : 'do'} not ` +
          "exist yet, and creating a function needs its execution role: pass --role with the role's ARN " +
          `(attach ${toCreate.map((s) => policyFile(generatedDir, s.name)).join(', ')} to it; nothing was deployed)`,
      );
    }
    const tables = await ensureTables(clients, plan.services, progress);

    const targets = new Map(plan.recordedTargets);
    const services: DeployedService[] = [];
    for (const service of plan.services) {
      const { name, entry } = service;
      const found = existing.get(name);
      const store =
        entry.table === undefined ? undefined : new DynamoDbStore({ client: clients.dynamoDb, tableName: entry.table });
      let running: RunningExecutionsReport | undefined;
      // Before publishing: executions running now stay pinned to their version, and this says what the new one means.
      if (store !== undefined && found !== undefined) {
        progress(`${name}: replaying running executions against the code being deployed`);
        running = await reportRunningExecutions({
          root: options.root,
          generatedDir,
          manifest: plan.manifest,
          service,
          functionArn: unqualified(found.configuration.FunctionArn) ?? entry.functionArn,
          store,
        });
      }
      progress(`${name}: deploying ${service.zipPath} to function ${entry.functionName}`);
      const deployed = await deployFunction(clients.lambda, {
        service: name,
        functionName: entry.functionName,
        zip: service.zip,
        sha256: service.sha256,
        alias,
        existing: existing.get(name),
        configuration: {
          role: options.role,
          timeoutSeconds,
          memoryMb,
          environment: environmentOf(plan.manifest.services, entry, targets, options.environment ?? {}),
          durableConfig: durableConfigOf(name, entry),
        },
        checkArn: (arn) => checkArn(service, arn),
      });
      targets.set(name, deployed.qualifiedArn);
      const deployedAt = now();
      const record = (schedule: ScheduleOutcome | undefined) => {
        const written = recordDeployment(
          plan.manifestPath,
          name,
          deploymentRecord(
            entry.deployment,
            { ...deployed, alias, sha256: service.sha256, schemaHashes: schemaHashesOf(entry), schedule },
            options.endpoint,
            deployedAt,
          ),
        );
        // What `durable-gen diff` and the next deploy compare against: the schema of the code now live.
        writeDeployedSchema(options.root, generatedDir, written, name, written.services[name]!);
      };
      // Recorded as soon as the alias moved: a schedule that fails next must not hide what is live.
      record(undefined);
      let schedule: ScheduleOutcome = isLambdaDurable(entry)
        ? { skipped: 'a lambda-durable service: the durable execution service resumes its executions' }
        : { skipped: 'a Lambda API other than AWS (--endpoint): durable-gen dev sweeps by itself' };
      if (clients.scheduler !== undefined && !isLambdaDurable(entry)) {
        schedule = await ensureSweepSchedule(clients.scheduler, {
          service: name,
          aliasArn: deployed.aliasArn,
          roleArn: options.scheduleRole!,
        });
        record(schedule);
      }
      services.push({
        name,
        functionName: entry.functionName,
        version: deployed.version,
        alias,
        qualifiedArn: deployed.qualifiedArn,
        aliasArn: deployed.aliasArn,
        change: deployed.change,
        schedule,
        ...(running === undefined ? {} : { running }),
      });
    }
    const pruned: PruneOutcome[] = [];
    if (options.pruneVersions === true) {
      for (const service of plan.services) {
        const { entry } = service;
        const deployed = services.find((s) => s.name === service.name)!;
        // A lambda-durable function's executions are the durable execution service's: nothing here lists them.
        if (entry.table === undefined) continue;
        progress(`${service.name}: deleting versions older than ${deployed.version} that nothing runs on`);
        pruned.push(
          await pruneVersions({
            lambda: clients.lambda,
            store: new DynamoDbStore({ client: clients.dynamoDb, tableName: entry.table }),
            service: service.name,
            functionName: entry.functionName,
            functionArn: unqualified(deployed.qualifiedArn) ?? entry.functionArn,
            live: deployed.version,
          }),
        );
      }
    }
    const policies = plan.services
      .map((service) => ({ service: service.name, file: policyFile(generatedDir, service.name) }))
      .filter((policy) => existsSync(path.resolve(options.root, policy.file)));
    return { services, tables, policies, staleCallers: staleCallers(plan.manifest.services, services), pruned };
  } finally {
    clients.destroy();
  }
}

async function ensureTables(
  clients: DeployClients,
  services: readonly PlannedService[],
  progress: (message: string) => void,
): Promise<{ name: string; created: boolean }[]> {
  const tables: { name: string; created: boolean }[] = [];
  // A lambda-durable service has no table: the durable execution service keeps its journal.
  const names = services.flatMap((service) => (service.entry.table === undefined ? [] : [service.entry.table]));
  for (const name of [...new Set(names)].sort()) {
    progress(`table ${name}: checking`);
    try {
      const ensured = await DynamoDbStore.ensureTable(clients.dynamoDb, name);
      tables.push({ name, created: ensured.created });
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: string };
      throw new DeployError(
        code === 'TABLE_SCHEMA' ? 'TABLE_UNUSABLE' : 'API_FAILED',
        `table '${name}': ${message ?? String(error)} (nothing was deployed)`,
        { cause: error },
      );
    }
  }
  return tables;
}

/** The app's variables, the table, and each callee's published version ARN under the variable its stub reads. */
function environmentOf(
  services: Record<string, ManifestService>,
  entry: ManifestService,
  targets: ReadonlyMap<string, string>,
  own: Readonly<Record<string, string>>,
): Record<string, string> {
  const environment: Record<string, string> = {
    ...own,
    ...(entry.table === undefined ? {} : { DURABLE_TABLE: entry.table }),
  };
  for (const callee of [...entry.invokes].sort()) {
    // The plan ordered callees first and resolved the others from the manifest: every target is known here.
    environment[services[callee]!.targetArnEnv] = targets.get(callee)!;
  }
  return environment;
}
/** `…:function:<name>` of a function ARN, qualified or not: what executions are pinned to versions of. */
function unqualified(arn: string | undefined): string | undefined {
  const parsed = arn === undefined ? undefined : parseLambdaArn(arn);
  if (parsed === undefined) return undefined;
  return `arn:${parsed.partition}:lambda:${parsed.region}:${parsed.account}:function:${parsed.functionName}`;
}

function policyFile(generatedDir: string, service: string): string {
  return `${generatedDir.split(path.sep).join('/').replace(/\/+$/, '')}/iam/${service}.json`;
}
