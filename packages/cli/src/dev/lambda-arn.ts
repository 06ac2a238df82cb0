import { ACCOUNT_ID_PATTERN, parseLambdaArn } from '@durable/core';
import { invalidParameter, notFound } from './lambda-error.js';

/** The account and region this local API plays: every ARN it makes, and every ARN it accepts, is in them. */
export interface ArnScope {
  accountId: string;
  region: string;
}

/** A function named by a request, with the qualifier the name itself carried (`name:3`, `…:function:name:live`). */
export interface FunctionRef {
  name: string;
  qualifier?: string;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** `$LATEST`, a version number or an alias name. */
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
/** `<account>:function:<name>[:<qualifier>]`, which Lambda also takes. */
const PARTIAL_ARN = /^([^:]+):function:(.+)$/;

/**
 * Reads a `FunctionName` as Lambda takes it: a name, `name:qualifier`, a full
 * ARN, or the partial `account:function:name`, each with or without a
 * qualifier. An ARN of another account or region names no function here.
 */
export function parseFunctionRef(text: string, scope: ArnScope): FunctionRef {
  let rest = text;
  const full = parseLambdaArn(text);
  const partial = full === undefined ? PARTIAL_ARN.exec(text) : null;
  if (full !== undefined) {
    requireScope(text, full.account, full.region, scope);
    rest = full.qualifier === undefined ? full.functionName : `${full.functionName}:${full.qualifier}`;
  } else if (partial !== null && ACCOUNT_ID_PATTERN.test(partial[1]!)) {
    requireScope(text, partial[1]!, scope.region, scope);
    rest = partial[2]!;
  }
  const [name, qualifier, ...extra] = rest.split(':');
  if (name === undefined || !FUNCTION_NAME.test(name) || extra.length > 0) {
    throw invalidParameter(
      `'${text}' is not a function name: use a name of 1 to 64 letters, digits, '-' and '_', ` +
        `optionally with ':qualifier', or the function's ARN (arn:aws:lambda:${scope.region}:${scope.accountId}:function:NAME).`,
    );
  }
  if (qualifier === undefined) return { name };
  requireQualifier(qualifier);
  return { name, qualifier };
}

/** Checks a qualifier's form: `$LATEST`, a version number or an alias name. */
export function requireQualifier(qualifier: string): void {
  if (!QUALIFIER.test(qualifier)) {
    throw invalidParameter(
      `'${qualifier}' is not a qualifier: use $LATEST, a version number or an alias name ` +
        "(letters, digits, '-' and '_').",
    );
  }
}

/**
 * The one qualifier a request names: from the function name, from the
 * `Qualifier` parameter, or from both when they agree. Two different ones are
 * refused, as Lambda refuses them.
 */
export function requestedQualifier(
  ref: FunctionRef,
  qualifierParameter: string | null | undefined,
): string | undefined {
  const parameter = qualifierParameter === null || qualifierParameter === '' ? undefined : qualifierParameter;
  if (parameter !== undefined) requireQualifier(parameter);
  if (ref.qualifier !== undefined && parameter !== undefined && ref.qualifier !== parameter) {
    throw invalidParameter(
      `The derived qualifier from the function name (${ref.qualifier}) does not match the specified qualifier ` +
        `(${parameter}): name the qualifier once, in the name or in Qualifier.`,
    );
  }
  return ref.qualifier ?? parameter;
}

/** The function's ARN, qualified when `qualifier` is given. */
export function functionArn(scope: ArnScope, name: string, qualifier?: string): string {
  const arn = `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
  return qualifier === undefined ? arn : `${arn}:${qualifier}`;
}

function requireScope(text: string, accountId: string, region: string, scope: ArnScope): void {
  if (accountId !== scope.accountId || region !== scope.region) {
    throw notFound(
      `Function not found: ${text}. durable-gen dev serves account ${scope.accountId} in ${scope.region} ` +
        '(start it with --account and --region to serve another).',
    );
  }
}
