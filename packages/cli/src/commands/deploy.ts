import { ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import type { DeployResult } from '../deploy/deploy.js';
import { pruneLines, runningExecutionLines } from '../deploy/running-output.js';
import { DEFAULT_ALIAS } from '../deployed-service.js';
import { alignColumns, FORMATS, type Format, type Output } from '../output.js';

interface DeployArgs {
  service?: string[];
  endpoint?: string;
  role?: string;
  alias: string;
  timeout: number;
  memory: number;
  scheduleRole?: string;
  env?: string[];
  generated: string;
  pruneVersions: boolean;
  format: Format;
}

/**
 * `durable-gen deploy`: each bundled service of the manifest to a Lambda API
 * by version (callees first), its alias moved to the new version, the sweep
 * scheduled on AWS, the manifest updated as each one goes live. One line per
 * service: name, version, alias, what changed, the qualified ARN.
 */
export const deployCommand: Command<DeployArgs> = {
  command: 'deploy',
  describe: 'Deploy each bundled service to Lambda: publish a version, move the alias (run bundle first)',
  builder: (yargs) =>
    yargs
      .option('service', { type: 'string', array: true, describe: 'Only these services (default: all)' })
      .option('endpoint', {
        type: 'string',
        describe: 'A Lambda API other than AWS, e.g. the URL durable-gen dev prints (it serves DynamoDB too)',
      })
      .option('role', {
        type: 'string',
        describe: 'Execution role ARN of functions deploy creates (required to create)',
      })
      .option('alias', { type: 'string', default: DEFAULT_ALIAS, describe: 'The alias moved to each new version' })
      .option('timeout', { type: 'number', default: 60, describe: 'Function timeout, seconds' })
      .option('memory', { type: 'number', default: 512, describe: 'Function memory, MB' })
      .option('schedule-role', {
        type: 'string',
        describe: 'Role ARN EventBridge Scheduler assumes to send each sweep (required on AWS; unused with --endpoint)',
      })
      .option('env', {
        type: 'string',
        array: true,
        describe: "KEY=VALUE: the app's own environment variables, on every function (deploy owns DURABLE_*)",
      })
      .option('generated', { type: 'string', default: 'generated', describe: 'The folder generate wrote' })
      .option('prune-versions', {
        type: 'boolean',
        default: false,
        describe:
          'After deploying, delete versions older than the live one that no alias points to and no running ' +
          'execution is pinned to (the others are kept and named)',
      })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: { services: [{ name, functionName, version, alias, qualifiedArn, … }] }',
      })
      .example('$0 deploy --role arn:aws:iam::123456789012:role/orders --schedule-role arn:…:role/sweeps', 'to AWS')
      .example('$0 deploy --endpoint http://127.0.0.1:3000 --role arn:aws:iam::123456789012:role/dev', 'to dev'),
  run: async (args, { output, cwd }) => {
    if (args.endpoint !== undefined && !URL.canParse(args.endpoint)) {
      throw new UsageError(`--endpoint '${args.endpoint}' is not a URL (e.g. http://127.0.0.1:3000)`);
    }
    // Loaded here, not at startup: the Lambda, DynamoDB and Scheduler clients are heavy and most commands need none.
    const [{ deploy }, { parseEnvironment }] = await Promise.all([
      import('../deploy/deploy.js'),
      import('../deploy/deploy-checks.js'),
    ]);
    const { dim } = output.stderr;
    const result = await deploy({
      root: cwd,
      generatedDir: args.generated,
      services: args.service,
      endpoint: args.endpoint,
      role: args.role,
      alias: args.alias,
      timeoutSeconds: args.timeout,
      memoryMb: args.memory,
      scheduleRole: args.scheduleRole,
      environment: parseEnvironment(args.env ?? []),
      pruneVersions: args.pruneVersions,
      ...(args.format === 'text' ? { onProgress: (message: string) => output.note(dim(message)) } : {}),
    });
    if (args.format === 'json') output.json(result);
    else printResult(result, output);
    return ExitCode.ok;
  },
};

function printResult(result: DeployResult, output: Output): void {
  const { dim, green } = output.stdout;
  const rows = result.services.map((service) => [
    service.name,
    `version ${service.version}`,
    `alias ${service.alias}`,
    service.change === 'unchanged' ? dim(service.change) : green(service.change),
    service.qualifiedArn,
  ]);
  for (const line of alignColumns(rows)) output.line(line);
  for (const table of result.tables) output.line(dim(`table ${table.name} ${table.created ? 'created' : 'ready'}`));
  const skipped = result.services.flatMap((service) => ('skipped' in service.schedule ? [service.schedule] : []));
  if (skipped[0] !== undefined) output.line(dim(`sweep schedules skipped: ${skipped[0].skipped}`));
  const scheduled = result.services.flatMap((service) =>
    'name' in service.schedule ? [[service.schedule.name, service.schedule.change, dim(service.aliasArn)]] : [],
  );
  for (const line of alignColumns(scheduled)) output.line(`schedule ${line}`);
  for (const { service, callee } of result.staleCallers) {
    const version = result.services.find((s) => s.name === callee)?.version;
    output.line(
      `${service} still invokes its earlier version of ${callee}: deploy ${service} too to move it to version ${version}`,
    );
  }
  for (const service of result.services) {
    if (service.running === undefined) continue;
    for (const line of runningExecutionLines(service.name, service.running, service.version, output.stdout)) {
      output.line(line);
    }
  }
  for (const outcome of result.pruned) for (const line of pruneLines(outcome, output.stdout)) output.line(line);
  for (const policy of result.policies) {
    output.line(`attach ${policy.file} to the role of function ${functionNameOf(result, policy.service)}`);
  }
}

function functionNameOf(result: DeployResult, service: string): string {
  return result.services.find((s) => s.name === service)?.functionName ?? service;
}
