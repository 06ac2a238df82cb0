import { ACCOUNT_ID_PATTERN, parseLambdaArn } from '@durable/core';
import { DeployError } from './deploy-error.js';
import type { PlannedService } from './deploy-plan.js';

// The checks deploy makes of its options and of what the Lambda API answers. A service generated for one account
// and region must run there: its IAM policy and its stubs' ARN checks are written for them.

const ROLE_ARN = /^arn:aws[a-z-]*:iam::([^:]*):role\/[\w+=,.@/-]+$/;
// Lambda's alias pattern: letters, digits, - and _, not all digits (that would read as a version).
const ALIAS_NAME = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;

/** Refuses settings Lambda would refuse, before anything is deployed. */
export function checkSettings(alias: string, timeoutSeconds: number, memoryMb: number): void {
  if (!ALIAS_NAME.test(alias) || alias === '$LATEST') {
    throw new DeployError(
      'BAD_OPTION',
      `--alias '${alias}' is not an alias name: 1 to 128 letters, digits, - and _, not all digits`,
    );
  }
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 900) {
    throw new DeployError('BAD_OPTION', `--timeout ${timeoutSeconds} is not a whole number of seconds from 1 to 900`);
  }
  if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10_240) {
    throw new DeployError('BAD_OPTION', `--memory ${memoryMb} is not a whole number of MB from 128 to 10240`);
  }
}

// Lambda's pattern for an environment variable's name.
const VARIABLE_NAME = /^[a-zA-Z]\w+$/;
/** Deploy writes these itself: DURABLE_TABLE and each callee's DURABLE_TARGET_<S>_ARN. */
const DEPLOY_OWNED_PREFIX = 'DURABLE_';

/**
 * Reads `--env KEY=VALUE` options: the app's own variables, set on every
 * deployed function beside the ones deploy owns (`DURABLE_*`), which they may
 * not replace. Lambda refuses its own reserved names (`AWS_REGION`, …) itself.
 */
export function parseEnvironment(pairs: readonly string[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? pair : pair.slice(0, equals);
    if (equals < 0 || !VARIABLE_NAME.test(key)) {
      throw new DeployError(
        'BAD_OPTION',
        `--env '${pair}' is not KEY=VALUE with a variable name of letters, digits and _ (starting with a letter)`,
      );
    }
    if (key.startsWith(DEPLOY_OWNED_PREFIX)) {
      throw new DeployError(
        'BAD_OPTION',
        `--env ${key}: deploy sets the ${DEPLOY_OWNED_PREFIX}* variables itself (the table, each callee's version ARN)`,
      );
    }
    if (Object.hasOwn(environment, key)) throw new DeployError('BAD_OPTION', `--env ${key} is given twice`);
    environment[key] = pair.slice(equals + 1);
  }
  return environment;
}

/** Refuses a role that is not an IAM role ARN, before anything is deployed. */
export function checkRole(option: string, role: string | undefined): void {
  if (role === undefined) return;
  const account = ROLE_ARN.exec(role)?.[1];
  if (account !== undefined && ACCOUNT_ID_PATTERN.test(account)) return;
  throw new DeployError(
    'BAD_OPTION',
    `${option} '${role}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
  );
}

/** Refuses a region other than the one every service was generated for. */
export function checkRegions(services: readonly PlannedService[], region: string): void {
  const elsewhere = services.filter((service) => service.entry.region !== region);
  if (elsewhere.length === 0) return;
  const generatedFor = [...new Set(elsewhere.map((s) => s.entry.region))].join(', ');
  throw new DeployError(
    'WRONG_REGION',
    `the AWS configuration's region is ${region}, but ${elsewhere.map((s) => `'${s.name}'`).join(', ')} ` +
      `${elsewhere.length === 1 ? 'was' : 'were'} generated for ${generatedFor} (its IAM policy and the stubs' ARN ` +
      `checks are for that region): set AWS_REGION=${generatedFor}, or regenerate with \`durable-gen generate ` +
      `--region ${region}\` and bundle again (nothing was deployed)`,
  );
}

/** Every ARN the API answers with must be of the account and region the service was generated for. */
export function checkArn(service: PlannedService, arn: string | undefined): void {
  if (arn === undefined) return;
  const parsed = parseLambdaArn(arn);
  if (parsed === undefined) {
    throw new DeployError(
      'API_FAILED',
      `service '${service.name}': the Lambda API answered with '${arn}', not a function ARN`,
    );
  }
  const { account, region } = service.entry;
  if (parsed.account !== account || parsed.region !== region) {
    throw new DeployError(
      parsed.account !== account ? 'WRONG_ACCOUNT' : 'WRONG_REGION',
      `service '${service.name}': the Lambda API's function is ${arn}, in account ${parsed.account} and region ` +
        `${parsed.region}, but the service was generated for account ${account} in ${region} (its IAM policy and ` +
        "the stubs' ARN checks are for that): use credentials of that account, or regenerate with " +
        `\`durable-gen generate --account ${parsed.account} --region ${parsed.region}\` and bundle again`,
    );
  }
}
