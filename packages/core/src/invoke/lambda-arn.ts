/** The parts of a Lambda function ARN. */
export interface LambdaArn {
  partition: string;
  region: string;
  account: string;
  functionName: string;
  /** Version number or alias; undefined for an unqualified ARN. */
  qualifier?: string;
}

const LAMBDA_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]+))?$/;

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

/**
 * What is wrong with `arn` as the target of an invoke, or undefined when it is
 * fine: it must be a Lambda function ARN, qualified with a version or alias
 * (an unqualified ARN runs whatever code is latest, so a replay could meet
 * other code), not `$LATEST` (accepted by Lambda, but pins nothing), and in
 * the caller's own account (durable invokes never cross accounts).
 */
export function targetArnProblem(arn: string, callerAccount: string | undefined): TargetArnProblem | undefined {
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
  return undefined;
}

/** Why an ARN cannot be invoked: a stable kind (used as a diagnostic code) and a message. */
export interface TargetArnProblem {
  kind: 'invalid-arn' | 'unqualified-arn' | 'latest-arn' | 'cross-account-arn';
  message: string;
}
