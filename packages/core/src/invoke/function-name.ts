import { LAMBDA_FUNCTION_NAME, parseLambdaArn } from './lambda-arn.js';

/** Where a service deploys, as far as it is known: its `functionName` must name a function there. */
export interface FunctionPlacement {
  /** The service's account (12 digits); undefined when not known yet, and then not compared. */
  account?: string | undefined;
  /** The service's region; undefined when not known yet, and then not compared. */
  region?: string | undefined;
}

/** Why a `functionName` cannot be deployed to: a stable kind (used as a diagnostic code) and a message. */
export interface FunctionNameProblem {
  kind:
    | 'invalid-function-name'
    | 'qualified-function-name'
    | 'cross-account-function-name'
    | 'cross-region-function-name';
  message: string;
}

const QUALIFIED_NAME = /^([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_$-]+)$/;

/**
 * What is wrong with `@DurableService({ functionName })`, or undefined when it is fine. It names the function
 * the service deploys as: a plain function name (`shipping`), or its unqualified ARN in the service's own
 * account and region. Never a version or alias (`shipping:3`, `…:function:shipping:live`): a function's
 * policy, log group and callers' permissions are per function, and callers pin the version at deploy.
 */
export function functionNameProblem(
  functionName: string,
  placement: FunctionPlacement = {},
): FunctionNameProblem | undefined {
  if (LAMBDA_FUNCTION_NAME.test(functionName)) return undefined;
  if (!functionName.startsWith('arn:')) {
    const qualified = QUALIFIED_NAME.exec(functionName);
    if (qualified !== null) return qualifiedProblem(functionName, qualified[1]!, qualified[2]!);
    return {
      kind: 'invalid-function-name',
      message:
        `'${functionName}' is not a Lambda function name (1 to 64 letters, digits, '-' or '_') nor a function ARN ` +
        '(arn:aws:lambda:<region>:<account>:function:<name>)',
    };
  }
  const arn = parseLambdaArn(functionName);
  if (arn === undefined) {
    return {
      kind: 'invalid-function-name',
      message: `'${functionName}' is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)`,
    };
  }
  if (arn.qualifier !== undefined) return qualifiedProblem(functionName, arn.functionName, arn.qualifier);
  if (placement.account !== undefined && arn.account !== placement.account) {
    return {
      kind: 'cross-account-function-name',
      message:
        `'${functionName}' is in account ${arn.account}, but the service deploys in account ${placement.account}: ` +
        `name a function of its own account, or just '${arn.functionName}'`,
    };
  }
  if (placement.region !== undefined && arn.region !== placement.region) {
    return {
      kind: 'cross-region-function-name',
      message:
        `'${functionName}' is in region ${arn.region}, but the service deploys in ${placement.region}: ` +
        `name a function of its own region, or just '${arn.functionName}'`,
    };
  }
  return undefined;
}

/**
 * The bare function name a valid `functionName` stands for: itself, or the name part of its ARN. What the
 * function's IAM resources and log group are built from. Check it with {@link functionNameProblem} first.
 */
export function lambdaFunctionName(functionName: string): string {
  return parseLambdaArn(functionName)?.functionName ?? functionName;
}

function qualifiedProblem(functionName: string, name: string, qualifier: string): FunctionNameProblem {
  const what = qualifier === '$LATEST' ? '$LATEST' : `version or alias '${qualifier}'`;
  return {
    kind: 'qualified-function-name',
    message:
      `'${functionName}' names ${what} of function '${name}': functionName names the function itself, ` +
      `unqualified (functionName: '${name}'); callers are pointed at a published version or an alias at deploy`,
  };
}
