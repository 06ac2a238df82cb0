import { describe, expect, it } from 'vitest';
import { functionNameProblem, lambdaFunctionName } from './function-name.js';
import { targetArnProblem } from './lambda-arn.js';

const placement = { account: '111111111111', region: 'eu-west-1' };
const arn = (rest: string, account = '111111111111', region = 'eu-west-1'): string =>
  `arn:aws:lambda:${region}:${account}:function:${rest}`;

describe('functionNameProblem', () => {
  it.each([
    ['a plain name', 'shipping'],
    ['a name of 64 characters', 'a'.repeat(64)],
    ['an unqualified ARN in its account and region', arn('shipping')],
  ])('accepts %s', (_what, functionName) => {
    expect(functionNameProblem(functionName, placement)).toBeUndefined();
  });

  it('compares only what is known of the placement', () => {
    expect(functionNameProblem(arn('shipping', '222222222222', 'us-east-1'))).toBeUndefined();
    expect(functionNameProblem(arn('shipping', '222222222222'), { region: 'eu-west-1' })).toBeUndefined();
  });

  it.each([
    ['a version', 'shipping:3', "names version or alias '3' of function 'shipping'"],
    ['an alias', 'shipping:live', "names version or alias 'live' of function 'shipping'"],
    ['$LATEST', 'shipping:$LATEST', "names $LATEST of function 'shipping'"],
    ['a qualified ARN', arn('shipping:3'), "names version or alias '3' of function 'shipping'"],
    ['a $LATEST ARN', arn('shipping:$LATEST'), "names $LATEST of function 'shipping'"],
  ])('refuses %s as qualified-function-name, saying which name to use', (_what, functionName, says) => {
    const problem = functionNameProblem(functionName, placement);
    expect(problem?.kind).toBe('qualified-function-name');
    expect(problem?.message).toContain(says);
    expect(problem?.message).toContain("unqualified (functionName: 'shipping')");
  });

  it.each([
    ['a name with a space', 'ship ping', 'is not a Lambda function name'],
    ['a name of 65 characters', 'a'.repeat(65), 'is not a Lambda function name'],
    ['an empty name', '', 'is not a Lambda function name'],
    ['a partial ARN', '111111111111:function:shipping', 'is not a Lambda function name'],
    ['a short account id', 'arn:aws:lambda:eu-west-1:1111:function:shipping', 'is not a Lambda function ARN'],
    ['an ARN of another service', 'arn:aws:sqs:eu-west-1:111111111111:shipping', 'is not a Lambda function ARN'],
    ['a layer', 'arn:aws:lambda:eu-west-1:111111111111:layer:shipping:3', 'is not a Lambda function ARN'],
  ])('refuses %s as invalid-function-name', (_what, functionName, says) => {
    const problem = functionNameProblem(functionName, placement);
    expect(problem?.kind).toBe('invalid-function-name');
    expect(problem?.message).toContain(says);
  });

  it('refuses an ARN in another account or region than the service', () => {
    expect(functionNameProblem(arn('shipping', '222222222222'), placement)).toEqual({
      kind: 'cross-account-function-name',
      message: expect.stringContaining(
        'is in account 222222222222, but the service deploys in account 111111111111',
      ) as string,
    });
    expect(functionNameProblem(arn('shipping', '111111111111', 'us-east-1'), placement)).toEqual({
      kind: 'cross-region-function-name',
      message: expect.stringContaining('is in region us-east-1, but the service deploys in eu-west-1') as string,
    });
  });
});

describe('lambdaFunctionName', () => {
  it('is the name itself, or the name part of an ARN', () => {
    expect(lambdaFunctionName('shipping')).toBe('shipping');
    expect(lambdaFunctionName(arn('shipping'))).toBe('shipping');
  });
});

describe('targetArnProblem', () => {
  const target = arn('notifier:7');

  it("takes the caller's account alone, or its account and region", () => {
    expect(targetArnProblem(target, '111111111111')).toBeUndefined();
    expect(targetArnProblem(target, placement)).toBeUndefined();
    expect(targetArnProblem(target, undefined)).toBeUndefined();
    expect(targetArnProblem(target, '222222222222')?.kind).toBe('cross-account-arn');
  });

  it("refuses a target in another region than the caller's", () => {
    expect(targetArnProblem(target, { account: '111111111111', region: 'us-east-1' })).toEqual({
      kind: 'cross-region-arn',
      message: expect.stringContaining("is in region eu-west-1, not the caller's us-east-1") as string,
    });
    expect(targetArnProblem(target, { region: 'us-east-1' })?.kind).toBe('cross-region-arn');
  });
});
