import { Node } from 'ts-morph';
import type { ExitNode, SchemaNode } from './schema-nodes.js';
import { line } from './syntax.js';

/** The exit node of a `return`, `throw`, `break` or `continue` statement; undefined for any other node. */
export function exitOf(node: Node): ExitNode | undefined {
  const form = Node.isReturnStatement(node)
    ? 'return'
    : Node.isThrowStatement(node)
      ? 'throw'
      : Node.isBreakStatement(node)
        ? 'break'
        : Node.isContinueStatement(node)
          ? 'continue'
          : undefined;
  return form === undefined ? undefined : { kind: 'exit', form, line: line(node) };
}

/** True when running `nodes` can record something: any node but an exit, or control flow holding one. */
export function recordsOperation(nodes: readonly SchemaNode[]): boolean {
  return nodes.some((node) => {
    if (node.kind === 'exit') return false;
    if (node.kind === 'branch') return node.paths.some(recordsOperation);
    return true;
  });
}

/**
 * `nodes` without the exits nothing can follow: those at its end, and at the end of the last paths of a
 * branch at its end (every path of an `if` or `?:`, the last case of a `switch`, the finally block of a
 * `try`). Where nothing follows, an exit skips nothing the journal would see.
 */
export function withoutTrailingExits(nodes: readonly SchemaNode[]): SchemaNode[] {
  const out = [...nodes];
  for (;;) {
    const last = out.at(-1);
    if (last === undefined) return out;
    if (last.kind === 'exit' || (last.kind === 'branch' && !recordsOperation([last]))) {
      out.pop();
      continue;
    }
    if (last.kind === 'branch') {
      const isAlternative = last.form === 'if' || last.form === 'conditional';
      const paths = last.paths.map((path, index) =>
        isAlternative || index === last.paths.length - 1 ? withoutTrailingExits(path) : path,
      );
      out[out.length - 1] = { ...last, paths };
    }
    return out;
  }
}
