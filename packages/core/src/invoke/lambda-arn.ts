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
 * the caller's own account (DESIGN §9: no cross-account invoke).
 */
export function targetArnProblem(arn: string, callerAccount: string | undefined): string | undefined {
  const parsed = parseLambdaArn(arn);
  if (parsed === undefined)
    return `'${arn}' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>:<version>)`;
  if (parsed.qualifier === undefined) {
    return `'${arn}' is unqualified: invoke a published version or an alias (…:function:${parsed.functionName}:<version>), so replays meet the code that recorded them`;
  }
  if (parsed.qualifier === '$LATEST') {
    return `'${arn}' names $LATEST, which pins no code: invoke a published version or an alias`;
  }
  if (callerAccount !== undefined && parsed.account !== callerAccount) {
    return `'${arn}' is in account ${parsed.account}, not the caller's ${callerAccount}: durable invokes stay in one account`;
  }
  return undefined;
}
