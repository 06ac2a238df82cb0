import { type CallExpression, Node } from 'ts-morph';
import { readLiteral } from '../scanner/literals.js';
import type { SchemaWalker, Scope } from './extract-schema.js';
import type { OpaqueNode, SchemaNode } from './schema-nodes.js';
import { sourceText } from './source-text.js';
import { line, unwrap } from './syntax.js';
import { usesOf } from './uses.js';

/** The DurableContext methods that record an operation. */
export const CONTEXT_OPERATIONS = new Set([
  'sleep',
  'now',
  'random',
  'uuid',
  'step',
  'waitForCallback',
  'invoke',
  'parallel',
  'map',
]);

/**
 * The node of `ctx.<operation>(…)`, after whatever its arguments record. Function arguments that run
 * outside the workflow's own code (a step's body, a callback's submit) record nothing the schema can
 * hold; parallel branches and the map function are walked with their own context parameter.
 */
export function contextOperation(
  walker: SchemaWalker,
  call: CallExpression,
  operation: string,
  scope: Scope,
  out: SchemaNode[],
): void {
  const args = call.getArguments();
  const [first, second, third, fourth] = args;
  const at = line(call);
  const visit = (...nodes: (Node | undefined)[]) => {
    for (const node of nodes) if (node !== undefined) walker.visit(node, scope, out);
  };
  switch (operation) {
    case 'now':
    case 'random':
    case 'uuid':
      visit(...args);
      out.push({ kind: operation, line: at });
      return;
    case 'sleep':
      visit(...args);
      out.push({
        kind: 'sleep',
        ...named(first),
        duration: textOf(second),
        ...withUses(first, second),
        line: at,
      });
      return;
    case 'step':
      visit(first, third);
      out.push({
        kind: 'step',
        ...named(first),
        semantics: literalSemantics(third),
        args: [],
        ...withUses(first),
        line: at,
      });
      return;
    case 'waitForCallback':
      visit(first, third);
      out.push({
        kind: 'callback',
        ...named(first),
        timeout: timeoutOf(third),
        ...withUses(first, timeoutNode(third)),
        line: at,
      });
      return;
    case 'invoke':
      visit(...args);
      out.push({ kind: 'invoke', target: literalTarget(first), input: textOf(second), ...withUses(...args), line: at });
      return;
    case 'parallel': {
      visit(first);
      const elements = second !== undefined && Node.isArrayLiteralExpression(unwrap(second)) ? elementsOf(second) : [];
      const closures = elements.map((element) => walker.closureOf(element, scope));
      if (second === undefined || elements.length === 0 || closures.some((closure) => closure === undefined)) {
        visit(second);
        out.push({ kind: 'parallel', ...named(first), branches: null, line: at });
        return;
      }
      const branches = closures.map((closure, index) => walker.enter(closure!, [], scope, elements[index]!, [0]));
      out.push({ kind: 'parallel', ...named(first), branches, line: at });
      return;
    }
    case 'map': {
      visit(first, second);
      const closure = third === undefined ? undefined : walker.closureOf(third, scope);
      if (closure === undefined) visit(third);
      visit(fourth);
      const body =
        closure !== undefined
          ? walker.enter(closure, [], scope, third!, [2])
          : // The per-item code is a value computed at run time: what it records is unknown here.
            [opaque(third ?? call, 'computed-function')];
      out.push({ kind: 'map', ...named(first), items: textOf(second), ...withUses(first, second), body, line: at });
      return;
    }
  }
}

/** Code the walk hands the context to but cannot see into. */
export function opaque(node: Node, reason: string): OpaqueNode {
  return { kind: 'opaque', call: sourceText(node), reason, line: line(node) };
}

function elementsOf(array: Node): Node[] {
  const bare = unwrap(array);
  return Node.isArrayLiteralExpression(bare) ? bare.getElements() : [];
}

function textOf(node: Node | undefined): string {
  return node === undefined ? '' : sourceText(node);
}

/** An operation's name: the literal, or null and the expression that computes it at run time. */
function named(node: Node | undefined): { name: string | null; nameExpression?: string } {
  const name = literalName(node);
  return name !== null || node === undefined ? { name } : { name, nameExpression: sourceText(node) };
}

/** `{ uses }` of the declarations `nodes` read, or nothing. */
function withUses(...nodes: (Node | undefined)[]): { uses?: string[] } {
  const uses = usesOf(nodes);
  return uses === undefined ? {} : { uses };
}

/** A name known before running: a string literal; null when it is computed. */
function literalName(node: Node | undefined): string | null {
  if (node === undefined) return null;
  const read = readLiteral(node);
  return read.ok && typeof read.value === 'string' ? read.value : null;
}

/** `ctx.step`'s options name its semantics; anything but a literal `'at-most-once'` is core's default. */
function literalSemantics(options: Node | undefined): 'at-least-once' | 'at-most-once' {
  const semantics = options === undefined ? undefined : propertyOf(options, 'semantics');
  if (semantics === undefined) return 'at-least-once';
  const read = readLiteral(semantics);
  return read.ok && read.value === 'at-most-once' ? 'at-most-once' : 'at-least-once';
}

/** The `timeout` of waitForCallback's options as written; options that are not an object literal are named whole. */
function timeoutOf(options: Node | undefined): string | null {
  if (options === undefined) return null;
  const bare = unwrap(options);
  if (!Node.isObjectLiteralExpression(bare)) return `${sourceText(options)}.timeout`;
  const timeout = propertyOf(bare, 'timeout');
  return timeout === undefined ? null : sourceText(timeout);
}

/** The node `timeoutOf` reads: the `timeout` property, or options that are not an object literal. */
function timeoutNode(options: Node | undefined): Node | undefined {
  if (options === undefined) return undefined;
  return Node.isObjectLiteralExpression(unwrap(options)) ? propertyOf(options, 'timeout') : options;
}

/** The initializer of property `name` of an object literal (`{ name }` shorthand included). */
function propertyOf(node: Node, name: string): Node | undefined {
  const bare = unwrap(node);
  if (!Node.isObjectLiteralExpression(bare)) return undefined;
  const property = bare.getProperty(name);
  if (Node.isPropertyAssignment(property)) return property.getInitializer();
  if (Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
  return undefined;
}

/** `<service>.<workflow>` of a literal `{ service, workflow }` target, as the journal names the invoke. */
function literalTarget(node: Node | undefined): string | null {
  if (node === undefined) return null;
  const read = readLiteral(node);
  if (!read.ok || typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) return null;
  const { service, workflow } = read.value;
  return typeof service === 'string' && typeof workflow === 'string' ? `${service}.${workflow}` : null;
}
