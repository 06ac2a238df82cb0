import { CliError, ExitCode, UsageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { DEFAULT_DEV_ACCOUNT_ID, DEFAULT_DEV_PORT } from '../dev/dev-defaults.js';
import { DEV_FOLDER } from '../dev/state-folder.js';

interface DevArgs {
  port: number;
  account?: string;
  region?: string;
}

/**
 * `durable-gen dev [--port 9001]`: the local Lambda API on 127.0.0.1, with
 * DynamoDB on the same URL, for `durable-gen deploy --endpoint`, the AWS SDK
 * and the AWS CLI. Runs until SIGINT or SIGTERM, printing each change and
 * the functions' logs; its state (functions, versions, aliases, the tables)
 * stays in .durable/dev/ for the next start.
 */
export const devCommand: Command<DevArgs> = {
  command: 'dev',
  describe: 'Serve a local Lambda API (and DynamoDB) on 127.0.0.1 for deploy --endpoint, the AWS SDK and CLI',
  builder: (yargs) =>
    yargs
      .option('port', { type: 'number', default: DEFAULT_DEV_PORT, describe: 'Port on 127.0.0.1 (0: any free port)' })
      .option('account', { type: 'string', describe: `The account the ARNs name (default ${DEFAULT_DEV_ACCOUNT_ID})` })
      .option('region', { type: 'string', describe: 'The region the ARNs name (default AWS_REGION, else us-east-1)' })
      .example('$0 dev', 'serve on http://127.0.0.1:9001')
      .example('$0 deploy --endpoint http://127.0.0.1:9001', 'then, in another shell: deploy to it'),
  run: async (args, { output, cwd }) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) {
      throw new UsageError('--port must be a whole number from 0 to 65535 (0: any free port).');
    }
    // Loaded here, not at startup: the server (and dynalite) is heavy, and most commands do not need it.
    const [{ ACCOUNT_ID_PATTERN }, { startDevServer }] = await Promise.all([
      import('@durable/core'),
      import('../dev/dev-server.js'),
    ]);
    if (args.account !== undefined && !ACCOUNT_ID_PATTERN.test(args.account)) {
      throw new UsageError(`--account ${args.account} is not an AWS account id: use 12 digits.`);
    }
    const stopped = signalled();
    try {
      const server = await start(startDevServer, args, cwd, (line) => output.line(line));
      output.line(`durable-gen dev: Lambda API on ${server.url} (state in ${DEV_FOLDER}/)`);
      output.line(`  e.g. aws lambda list-functions --endpoint-url ${server.url}`);
      const signal = await stopped.promise;
      output.line(`durable-gen dev: ${signal}, stopping`);
      await server.close();
      return ExitCode.ok;
    } finally {
      stopped.dispose();
    }
  },
};

async function start(
  startDevServer: typeof import('../dev/dev-server.js').startDevServer,
  args: DevArgs,
  root: string,
  log: (line: string) => void,
) {
  try {
    return await startDevServer({
      root,
      port: args.port,
      ...(args.account === undefined ? {} : { accountId: args.account }),
      ...(args.region === undefined ? {} : { region: args.region }),
      log,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(
        `Port ${args.port} on 127.0.0.1 is in use (another durable-gen dev?): stop that, or pick another with --port.`,
      );
    }
    throw error;
  }
}

/** The first SIGINT or SIGTERM; `dispose` stops listening, so the process's own handling comes back. */
function signalled(): { promise: Promise<NodeJS.Signals>; dispose(): void } {
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
