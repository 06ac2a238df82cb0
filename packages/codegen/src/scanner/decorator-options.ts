import type { OptionProblem } from '@durable/core';
import { type Decorator, Node, type ObjectLiteralExpression, type PropertyAssignment } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { BackendOptionProblem } from './lambda-durable-options.js';
import { type LiteralValue, readLiteral } from './literals.js';
import { locate, report } from './locate.js';

/** A decorator's options as read from source. */
export type LiteralOptions = { [key: string]: LiteralValue };

/**
 * The decorator's literal options object ({} when called without arguments);
 * undefined (with a diagnostic) when it is not a call or not literal.
 */
export function decoratorOptions(
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): LiteralOptions | undefined {
  const call = decorator.getCallExpression();
  if (call === undefined) {
    report(
      diagnostics,
      locate(decorator, root),
      'decorator-not-called',
      `${what} is a decorator factory: write ${decorator.getText()}() with parentheses.`,
    );
    return undefined;
  }
  const [argument] = call.getArguments();
  if (argument === undefined) return {};
  const read = readLiteral(argument);
  if (!read.ok) {
    report(
      diagnostics,
      locate(read.node, root),
      'non-literal-options',
      `${what} options must be literals that durable-gen can read without running code; ` +
        `replace \`${read.node.getText().slice(0, 60)}\` with its value.`,
    );
    return undefined;
  }
  if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
    report(diagnostics, locate(argument, root), 'non-literal-options', `${what} takes an options object literal.`);
    return undefined;
  }
  return read.value;
}

/**
 * Reports what core found wrong with a decorator's options (and what a
 * backend cannot honour), each at the option at fault, as an error unless the
 * problem says otherwise: an unknown key at its name, a bad value at the value. A
 * problem of no written option (a service name taken from the class name) is
 * reported at the decorator.
 */
export function reportOptionProblems(
  problems: readonly (OptionProblem | BackendOptionProblem)[],
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): void {
  const [argument] = decorator.getCallExpression()?.getArguments() ?? [];
  for (const problem of problems) {
    const property = argument === undefined ? undefined : optionProperty(argument, problem.option.split('.'));
    const node =
      property === undefined
        ? decorator
        : problem.code === 'unknown-option'
          ? property.getNameNode()
          : property.getInitializerOrThrow();
    const severity = 'severity' in problem ? problem.severity : 'error';
    diagnostics.push({ ...locate(node, root), code: problem.code, severity, message: `${what}: ${problem.message}.` });
  }
}

/** The property assignment at `path` inside an object literal (through `as const` and the like). */
function optionProperty(node: Node, path: readonly string[]): PropertyAssignment | undefined {
  let current: Node = node;
  let property: PropertyAssignment | undefined;
  for (const key of path) {
    while (
      Node.isAsExpression(current) ||
      Node.isSatisfiesExpression(current) ||
      Node.isParenthesizedExpression(current)
    ) {
      current = current.getExpression();
    }
    if (!Node.isObjectLiteralExpression(current)) return undefined;
    property = propertyNamed(current, key);
    if (property === undefined) return undefined;
    current = property.getInitializerOrThrow();
  }
  return property;
}

function propertyNamed(object: ObjectLiteralExpression, key: string): PropertyAssignment | undefined {
  const named = object.getProperties().filter((property): property is PropertyAssignment => {
    if (!Node.isPropertyAssignment(property)) return false;
    const name = property.getNameNode();
    if (Node.isStringLiteral(name)) return name.getLiteralValue() === key;
    if (Node.isNumericLiteral(name)) return String(Number(name.getLiteralText())) === key;
    return name.getText() === key;
  });
  // With a key written twice, JavaScript keeps the last: the one that was read.
  return named.at(-1);
}

/** The option `key` when it is a non-empty string (core reports it otherwise). */
export function stringOption(options: LiteralOptions, key: string): string | undefined {
  const value = options[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
