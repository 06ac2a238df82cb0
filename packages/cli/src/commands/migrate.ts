import { ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import type { MigrateResult, MigrationOutcome } from '../migrate/migrate.js';
import { alignColumns, FORMATS, type Format, type Output, plural, truncate } from '../output.js';

interface MigrateArgs {
  service: string;
  to: string;
  from?: string;
  dryRun: boolean;
  endpoint?: string;
  region?: string;
  generated: string;
  format: Format;
}

/**
 * `durable-gen migrate <service> --to VERSION`: moves the service's running executions pinned to older versions
 * to VERSION, each only when VERSION's deployed code replays its journal. One line per execution: moved (and who
 * resumes it), or why it stays. Exit 1 when any stays because it diverges (or could not be checked).
 */
export const migrateCommand: Command<MigrateArgs> = {
  command: 'migrate <service>',
  describe: 'Move running executions to a newer deployed version whose code replays their journals',
  builder: (yargs) =>
    yargs
      .positional('service', { type: 'string', demandOption: true, describe: 'The service, as the manifest names it' })
      .option('to', { type: 'string', demandOption: true, describe: 'The published version to move executions to' })
      .option('from', { type: 'string', describe: 'Only executions pinned to this version (default: all older)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Check each execution, move none' })
      .option('endpoint', {
        type: 'string',
        describe: "A Lambda API other than AWS, e.g. durable-gen dev's URL (default: where deploy recorded it went)",
      })
      .option('region', { type: 'string', describe: 'AWS region (default: AWS_REGION)' })
      .option('generated', { type: 'string', default: 'generated', describe: 'The folder generate wrote' })
      .option('format', {
        choices: FORMATS,
        default: 'text' as Format,
        describe: 'text for people; json: { service, to, executions: [{ executionId, from, outcome, … }] }',
      })
      .example('$0 migrate orders --to 3 --dry-run', 'which running executions version 3 can take over')
      .example('$0 migrate orders --to 3 --from 2 --endpoint http://127.0.0.1:3000', 'on durable-gen dev'),
  run: async (args, { output, cwd }) => {
    if (args.endpoint !== undefined && !URL.canParse(args.endpoint)) {
      throw new UsageError(`--endpoint '${args.endpoint}' is not a URL (e.g. http://127.0.0.1:3000)`);
    }
    // Loaded here, not at startup: the Lambda and DynamoDB clients are heavy and most commands need neither.
    const { migrate } = await import('../migrate/migrate.js');
    const result = await migrate({
      root: cwd,
      generatedDir: args.generated,
      service: args.service,
      to: args.to,
      from: args.from,
      endpoint: args.endpoint,
      region: args.region,
      dryRun: args.dryRun,
    });
    if (args.format === 'json') output.json(result);
    else printResult(result, output);
    const stayedForGood = result.executions.some((e) => e.outcome === 'diverges' || e.outcome === 'check-failed');
    return stayedForGood ? ExitCode.failure : ExitCode.ok;
  },
};

function printResult(result: MigrateResult, output: Output): void {
  const { dim } = output.stdout;
  if (result.executions.length === 0) {
    output.line(`no running execution of ${result.service} is pinned to a version older than ${result.to}`);
    return;
  }
  const rows = result.executions.map((execution) => [execution.executionId, describe(execution, result.to, output)]);
  for (const line of alignColumns(rows)) output.line(line);
  const counts = new Map<string, number>();
  for (const { outcome } of result.executions) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  const labels: [MigrationOutcome['outcome'], string][] = [
    ['moved', 'moved'],
    ['would-move', 'would move'],
    ['diverges', 'diverge'],
    ['busy', 'busy'],
    ['check-failed', 'not checked'],
  ];
  const summary = labels.flatMap(([outcome, label]) => {
    const count = counts.get(outcome);
    if (count === undefined) return [];
    return [`${count} ${outcome === 'diverges' && count === 1 ? 'diverges' : label}`];
  });
  output.line(
    dim(`${plural(result.executions.length, 'execution')} older than version ${result.to}: ${summary.join(', ')}`),
  );
}

function describe(execution: MigrationOutcome, to: string, output: Output): string {
  const { green, yellow, red } = output.stdout;
  const stays = `stays on version ${execution.from}`;
  switch (execution.outcome) {
    case 'moved': {
      const next =
        execution.resumedBy === 'migrate'
          ? `resumed on version ${to}`
          : execution.resumedBy === 'sweeper'
            ? `the sweeper resumes it on version ${to} when due`
            : `its callback's completion resumes it on version ${to}`;
      return `${green(`moved from version ${execution.from}`)}, ${next}`;
    }
    case 'would-move':
      return `${green('replays')} on version ${to}: would move from version ${execution.from} (dry run)`;
    case 'diverges':
      return `${yellow(`${stays}: diverges at position ${execution.position}`)}: ${truncate(execution.message, 240)}`;
    case 'busy':
      return `${stays}: busy, ${execution.reason}`;
    case 'check-failed':
      return `${red(`${stays}: not checked`)}: ${truncate(execution.message, 240)}`;
  }
}
