/** The parts of a Lambda function ARN. */
export interface LambdaArn {
  partition: string;
  region: string;
  account: string;
  functionName: string;
  /** Version number or alias; undefined for an unqualified ARN. */
  qualifier?: string;
}

const NAME = '[A-Za-z0-9_-]{1,64}';

/** Lambda's pattern for a function's name (what `…:function:<name>` holds): 1 to 64 letters, digits, `-`, `_`. */
export const LAMBDA_FUNCTION_NAME = new RegExp(`^${NAME}$`);

const LAMBDA_ARN = new RegExp(
  `^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\\d{12}):function:(${NAME})(?::([A-Za-z0-9_$-]+))?$`,
);

/** Parses `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`; undefined when it is not one. */
export function parseLambdaArn(arn: string): LambdaArn | undefined {
  const match = LAMBDA_ARN.exec(arn);
  if (match === null) return undefined;
  const [, partition, region, account, functionName, qualifier] = match;
  return {
    partition: partition!,
    region: region!,
    account: account!,
    functionName: functionName!,
    ...(qualifier === undefined ? {} : { qualifier }),
  };
}

/** Where the caller of an invoke runs, as far as it is known; what is undefined is not compared. */
export interface CallerPlacement {
  account?: string | undefined;
  region?: string | undefined;
}

/**
 * What is wrong with `arn` as the target of an invoke, or undefined when it is
 * fine: it must be a Lambda function ARN, qualified with a version or alias
 * (an unqualified ARN runs whatever code is latest, so a replay could meet
 * other code), not `$LATEST` (accepted by Lambda, but pins nothing), in
 * the caller's own account (durable invokes never cross accounts) and its own
 * region (the generated policy allows invoking only there). `caller` is the
 * caller's placement, or (the older form) its account alone.
 */
export function targetArnProblem(
  arn: string,
  caller: CallerPlacement | string | undefined,
): TargetArnProblem | undefined {
  const { account: callerAccount, region: callerRegion } =
    typeof caller === 'string' || caller === undefined ? { account: caller, region: undefined } : caller;
  const parsed = parseLambdaArn(arn);
  if (parsed === undefined) {
    return {
      kind: 'invalid-arn',
      message: `'${arn}' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>:<version>)`,
    };
  }
  if (parsed.qualifier === undefined) {
    return {
      kind: 'unqualified-arn',
      message:
        `'${arn}' is unqualified: invoke a published version or an alias (…:function:${parsed.functionName}:<version>), ` +
        'so replays meet the code that recorded them',
    };
  }
  if (parsed.qualifier === '$LATEST') {
    return {
      kind: 'latest-arn',
      message: `'${arn}' names $LATEST, which pins no code: invoke a published version or an alias`,
    };
  }
  if (callerAccount !== undefined && parsed.account !== callerAccount) {
    return {
      kind: 'cross-account-arn',
      message: `'${arn}' is in account ${parsed.account}, not the caller's ${callerAccount}: durable invokes stay in one account`,
    };
  }
  if (callerRegion !== undefined && parsed.region !== callerRegion) {
    return {
      kind: 'cross-region-arn',
      message:
        `'${arn}' is in region ${parsed.region}, not the caller's ${callerRegion}: durable invokes stay in one ` +
        'region (its policy allows no other)',
    };
  }
  return undefined;
}

/** Why an ARN cannot be invoked: a stable kind (used as a diagnostic code) and a message. */
export interface TargetArnProblem {
  kind: 'invalid-arn' | 'unqualified-arn' | 'latest-arn' | 'cross-account-arn' | 'cross-region-arn';
  message: string;
}
