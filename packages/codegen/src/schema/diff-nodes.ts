import { type BranchNode, isOperationNode, type SchemaNode } from './schema-nodes.js';

/**
 * How `durable-gen diff` sees schema nodes: what identifies one as "the same
 * operation" across two versions, whether two are equal once lines are set
 * aside, and how messages name them.
 */

/**
 * What makes a node the same one in two versions, details aside: the journal's kind and name for an
 * operation, the form and condition of a branch, the header of a loop, the call of opaque code. Two nodes
 * with one key are paired, then their details (arguments, durations, inner paths) compared.
 */
export function identityKey(node: SchemaNode): string {
  switch (node.kind) {
    case 'step':
    case 'sleep':
    case 'callback':
    case 'parallel':
    case 'map':
      // A computed name is the same one only when it is computed the same way.
      return `${node.kind}:${node.name ?? `?${node.nameExpression ?? ''}`}`;
    case 'invoke':
      return `invoke:${node.target ?? '?'}`;
    case 'now':
    case 'random':
    case 'uuid':
      return node.kind;
    case 'branch':
      // A switch's case labels decide which path runs as much as its subject does.
      return `branch:${node.form}:${node.condition}${node.clauses === undefined ? '' : `:${node.clauses.join('|')}`}${usesKey(node.uses)}`;
    case 'loop':
      return `loop:${node.header}${usesKey(node.uses)}`;
    case 'exit':
      return `exit:${node.form}`;
    case 'opaque':
      return `opaque:${node.call}${node.codeHash === undefined ? '' : `#${node.codeHash}`}`;
  }
}

/** The constants a condition or loop header reads decide the path as much as its text does. */
function usesKey(uses: readonly string[] | undefined): string {
  return uses === undefined ? '' : ` where ${uses.join('; ')}`;
}

/** The node as canonical JSON without its lines (or the method a step is declared on): equal means the journal sees no difference. */
export function canonicalWithoutLines(value: unknown): string {
  return JSON.stringify(value, (key, item: unknown) => {
    if (key === 'line' || key === 'method') return undefined;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries);
  });
}

export function sameIgnoringLines(a: unknown, b: unknown): boolean {
  return canonicalWithoutLines(a) === canonicalWithoutLines(b);
}

/** True when `container` (a control node) holds a node equal to `target` on one of its paths, at any depth of control flow. */
export function controlContains(container: SchemaNode, target: SchemaNode): boolean {
  const inner = innerSequences(container);
  return inner.some((sequence) =>
    sequence.some(
      (node) => sameIgnoringLines(node, target) || (!isOperationNode(node) && controlContains(node, target)),
    ),
  );
}

function innerSequences(node: SchemaNode): SchemaNode[][] {
  if (node.kind === 'branch') return node.paths;
  if (node.kind === 'loop') return [node.body];
  return [];
}

/** A node as a person recognizes it in their code: `step 'charge'`, `sleep 'cool-down'`, `` `if (input.vip)` ``. */
export function describeNode(node: SchemaNode): string {
  switch (node.kind) {
    case 'step': {
      const name = node.name === null ? `step ${computedName(node.nameExpression)}` : `step '${node.name}'`;
      return node.method !== undefined && node.method !== node.name ? `${name} (this.${node.method})` : name;
    }
    case 'sleep':
    case 'callback':
    case 'parallel':
    case 'map':
      return node.name === null ? `${node.kind} ${computedName(node.nameExpression)}` : `${node.kind} '${node.name}'`;
    case 'invoke':
      return node.target === null ? 'invoke (its target is computed at run time)' : `invoke of '${node.target}'`;
    case 'now':
    case 'random':
    case 'uuid':
      return `ctx.${node.kind}()`;
    case 'branch':
      return `\`${branchHeader(node)}\``;
    case 'loop':
      return `the loop \`${node.header}\``;
    case 'exit':
      return `\`${node.form}\``;
    case 'opaque':
      return `\`${node.call}\``;
  }
}

/** `` `charge-${id}` `` as a name: how a computed name reads in a message. */
function computedName(expression: string | undefined): string {
  return expression === undefined ? '(its name is computed at run time)' : `named ${expression} at run time`;
}

/** The source a branch starts with: `if (input.vip)`, `switch (order.kind)`, `try`, `input.vip ? …`. */
export function branchHeader(node: BranchNode): string {
  switch (node.form) {
    case 'if':
      return `if (${node.condition})`;
    case 'switch':
      return `switch (${node.condition})`;
    case 'try':
      return 'try';
    case 'conditional':
      return `${node.condition} ? …`;
  }
}

/** One path of a branch, for "appended at the end of …": the else of an `if`, a case of a `switch`, a block of a `try`. */
export function describePath(node: BranchNode, index: number): string {
  const header = branchHeader(node);
  switch (node.form) {
    case 'if':
      return index === 0 ? `\`${header}\`` : `the else of \`${header}\``;
    case 'switch':
      return `case ${index + 1} of \`${header}\``;
    case 'try':
      return ['the try block', 'the catch block', 'the finally block'][index] ?? `block ${index + 1} of the try`;
    case 'conditional':
      return `path ${index + 1} of \`${header}\``;
  }
}
