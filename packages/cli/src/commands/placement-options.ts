import type { PlacementDefaults } from '@durable/codegen';
import type { Argv } from 'yargs';
import { UsageError } from '../cli-error.js';

/** `--account`, `--region` and `--table` of `generate` and `check`. */
export interface PlacementArgs {
  account?: string;
  region?: string;
  table?: string;
}

/** Adds the placement options, which `generate` and `check` share so that both report the same findings. */
export function withPlacementOptions<T>(yargs: Argv<T>): Argv<T & PlacementArgs> {
  return yargs
    .option('account', {
      type: 'string',
      describe: 'AWS account id of services whose decorator names none (default: what the last generate recorded)',
    })
    .option('region', {
      type: 'string',
      describe: 'AWS region of services whose decorator names none (default: what the last generate recorded)',
    })
    .option('table', {
      type: 'string',
      describe:
        "Checkpoint table of services whose decorator names none (default: what the last generate recorded, else @durable/core's DEFAULT_TABLE)",
    })
    .group(['account', 'region', 'table'], 'Placement:') as Argv<T & PlacementArgs>;
}

/** The placement options that were given, checked by core's rules: a malformed account or region is a usage error. */
export async function placementDefaults(args: PlacementArgs): Promise<PlacementDefaults> {
  // Loaded here, not at startup: @durable/core brings the AWS SDK, which most commands never need.
  const { ACCOUNT_ID_PATTERN, REGION_PATTERN } = await import('@durable/core');
  if (args.account !== undefined && !ACCOUNT_ID_PATTERN.test(args.account)) {
    throw new UsageError(`--account must be a 12-digit AWS account id, not '${args.account}'.`);
  }
  if (args.region !== undefined && !REGION_PATTERN.test(args.region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1, not '${args.region}'.`);
  }
  if (args.table !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(args.table)) {
    throw new UsageError(
      `--table must be a DynamoDB table name (3-255 letters, digits, '_', '-', '.'), not '${args.table}'.`,
    );
  }
  return {
    ...(args.account === undefined ? {} : { account: args.account }),
    ...(args.region === undefined ? {} : { region: args.region }),
    ...(args.table === undefined ? {} : { table: args.table }),
  };
}
