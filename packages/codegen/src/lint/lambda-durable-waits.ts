import { ts } from 'ts-morph';
import type { RuleCode } from './rules.js';

/**
 * What a service on backend `lambda-durable` cannot wait, found in its source: Lambda durable functions wait
 * whole seconds, at least 1 (`context.wait`, a callback's timeout, the delay before a step's retry). Core's
 * adapter refuses a sleep or a callback timeout under a second when the execution reaches it, and rounds the rest
 * up; these checks say so at build time, where the literal is written. Durations that are not literals are left
 * to the run.
 */

/** Reports a finding at `node`: `what` names the call or the option, with the value that is wrong. */
export type WaitReport = (node: ts.Node, code: RuleCode, what: string) => void;

/** The shortest wait the service keeps, and its unit: waits are whole seconds. */
const SECOND_MS = 1_000;

// The units of core's `Duration`. Core does not export `durationToMs` from its entry points; until it does, the
// literal's parts are added here the same way (an unknown unit or a bad value is left to core at run time).
const DURATION_UNIT_MS: Record<string, number> = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  ms: 1,
};

/** The retry fields whose values the service waits, before an attempt of a step. */
const RETRY_DELAYS = ['initialDelayMs', 'maxDelayMs'] as const;

/**
 * Checks a `ctx` operation of a `lambda-durable` service: the duration of `ctx.sleep(name, duration)`, the
 * `timeout` of `ctx.waitForCallback(name, submit, options)`, the retry delays of `ctx.step(name, fn, options)`.
 */
export function checkContextWait(call: ts.CallExpression, operation: string, report: WaitReport): void {
  const label = operationLabel(call, operation);
  if (operation === 'sleep') {
    const duration = call.arguments[1];
    if (duration !== undefined) checkWait(duration, label, report);
  } else if (operation === 'waitForCallback') {
    const timeout = propertyValue(call.arguments[2], 'timeout');
    if (timeout !== undefined) checkWait(timeout, `the timeout of ${label}`, report);
  } else if (operation === 'step') {
    checkRetryDelays(propertyValue(call.arguments[2], 'retry'), `the retry of ${label}`, report);
  }
}

/**
 * Checks the retry delays written in the options of a step method's decorators (the one that has a `retry`: a
 * `@Step`, since the model already says the method is one).
 */
export function checkStepDecoratorWaits(method: ts.MethodDeclaration, what: string, report: WaitReport): void {
  // `what` names the step as `@Step ReviewService.analyze`.
  for (const decorator of ts.getDecorators(method) ?? []) {
    if (!ts.isCallExpression(decorator.expression)) continue;
    checkRetryDelays(propertyValue(decorator.expression.arguments[0], 'retry'), `the retry of ${what}`, report);
  }
}

function checkWait(node: ts.Expression, what: string, report: WaitReport): void {
  const ms = literalDurationMs(node);
  if (ms === undefined) return;
  if (ms < SECOND_MS) report(node, 'unsupported-wait', `${what} (${ms} ms)`);
  else if (ms % SECOND_MS !== 0) report(node, 'rounded-wait', `${what} (${ms} ms, waited as ${roundedUp(ms)} s)`);
}

function checkRetryDelays(retry: ts.Expression | undefined, what: string, report: WaitReport): void {
  for (const field of RETRY_DELAYS) {
    const value = propertyValue(retry, field);
    const ms = value === undefined ? undefined : literalNumber(value);
    // A negative delay is core's to refuse (invalid-option).
    if (value === undefined || ms === undefined || ms < 0 || (ms >= SECOND_MS && ms % SECOND_MS === 0)) continue;
    report(value, 'rounded-retry-delay', `${field}: ${ms} (waited as ${roundedUp(ms)} s) in ${what}`);
  }
}

function roundedUp(ms: number): number {
  return Math.max(1, Math.ceil(ms / SECOND_MS));
}

/** `ctx.sleep('settle')`: the operation as a message names it. */
function operationLabel(call: ts.CallExpression, operation: string): string {
  const [name] = call.arguments;
  const receiver = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression.getText() : 'ctx';
  return `${receiver}.${operation}(${name !== undefined && ts.isStringLiteralLike(name) ? `'${name.text}'` : '…'})`;
}

/** The value of property `key` of an object literal (through parentheses, `as const`, `satisfies`). */
function propertyValue(node: ts.Expression | undefined, key: string): ts.Expression | undefined {
  const object = node === undefined ? undefined : unwrap(node);
  if (object === undefined || !ts.isObjectLiteralExpression(object)) return undefined;
  // With a key written twice, JavaScript keeps the last.
  const property = object.properties
    .filter(ts.isPropertyAssignment)
    .filter((p) => (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key)
    .at(-1);
  return property?.initializer;
}

/** The milliseconds of a literal `Duration` (`{ seconds: 30 }`), or undefined when any part is not a literal. */
function literalDurationMs(node: ts.Expression): number | undefined {
  const object = unwrap(node);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  let total = 0;
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) return undefined;
    const unitMs = DURATION_UNIT_MS[property.name.text];
    const value = literalNumber(property.initializer);
    if (unitMs === undefined || value === undefined || value < 0) return undefined;
    total += value * unitMs;
  }
  return total;
}

function literalNumber(node: ts.Expression): number | undefined {
  const expression = unwrap(node);
  if (ts.isNumericLiteral(expression)) return Number(expression.text);
  if (
    ts.isPrefixUnaryExpression(expression) &&
    expression.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(expression.operand)
  ) {
    return -Number(expression.operand.text);
  }
  return undefined;
}

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current)) {
    current = current.expression;
  }
  return current;
}
