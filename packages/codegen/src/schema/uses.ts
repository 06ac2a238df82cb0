import { Node, ts, type VariableDeclaration } from 'ts-morph';
import { sourceText } from './source-text.js';
import { unwrap } from './syntax.js';

/** How many declarations deep a chain of constants is followed (`a = b + 1`, `b = c * 2`, …). */
const MAX_DEPTH = 4;

/**
 * The declarations of the same file that `expressions` read, followed transitively (up to {@link MAX_DEPTH}
 * deep, each once), as `name = initializer` in source order; undefined when they read none. The journal
 * records the values an argument, a duration or a condition gives, and those come from these initializers
 * as much as from the expression's own text.
 */
export function usesOf(expressions: readonly (Node | undefined)[]): string[] | undefined {
  const found = new Map<VariableDeclaration, number>();
  const roots = expressions.filter((node): node is Node => node !== undefined);
  let frontier = roots;
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: Node[] = [];
    for (const expression of frontier) {
      for (const declaration of declarationsRead(expression)) {
        // A name declared inside the expression itself (a callback's local) is part of its text already.
        if (
          found.has(declaration) ||
          roots.some((root) => root.containsRange(declaration.getPos(), declaration.getEnd()))
        )
          continue;
        const initializer = declaration.getInitializer();
        // An awaited call's value is what an operation recorded (or outside code's): replay reads it from the
        // journal, and a change of that call is the change of its own node.
        if (initializer === undefined || isAwaitedCall(initializer)) continue;
        found.set(declaration, declaration.getStart());
        next.push(initializer);
      }
    }
    frontier = next;
  }
  if (found.size === 0) return undefined;
  return [...found]
    .sort(([, a], [, b]) => a - b)
    .map(([declaration]) => {
      const initializer = sourceText(declaration.getInitializer()!, undefined, isAwaitedCallNode);
      return `${sourceText(declaration.getNameNode())} = ${initializer}`;
    });
}

function isAwaitedCall(initializer: Node): boolean {
  return isAwaitedCallNode(unwrap(initializer).compilerNode);
}

/** `await f(…)`: in an initializer, written `…` and not followed, for the reason above. */
function isAwaitedCallNode(node: ts.Node): boolean {
  if (!ts.isAwaitExpression(node)) return false;
  let awaited: ts.Expression = node.expression;
  while (ts.isParenthesizedExpression(awaited) || ts.isAsExpression(awaited) || ts.isNonNullExpression(awaited)) {
    awaited = awaited.expression;
  }
  return ts.isCallExpression(awaited);
}

/** The variable declarations in the same file that identifiers under `expression` resolve to. */
function declarationsRead(expression: Node): VariableDeclaration[] {
  const file = expression.getSourceFile();
  const identifiers = Node.isIdentifier(expression) ? [expression] : [];
  expression.forEachDescendant((node, traversal) => {
    if (isAwaitedCallNode(node.compilerNode)) traversal.skip();
    else if (Node.isIdentifier(node)) identifiers.push(node);
  });
  const declarations: VariableDeclaration[] = [];
  for (const identifier of identifiers) {
    const parent = identifier.getParent();
    // `{ amount }` names the property; the value it reads is the variable of that name.
    const symbol =
      parent !== undefined && Node.isShorthandPropertyAssignment(parent)
        ? parent.getValueSymbol()
        : identifier.getSymbol();
    for (const declaration of symbol?.getDeclarations() ?? []) {
      if (declaration.getSourceFile() !== file) continue;
      // `const { amount } = input`: the binding reads the whole declaration's initializer.
      const variable = Node.isVariableDeclaration(declaration)
        ? declaration
        : Node.isBindingElement(declaration)
          ? declaration.getFirstAncestor(Node.isVariableDeclaration)
          : undefined;
      if (variable !== undefined && !declarations.includes(variable)) declarations.push(variable);
    }
  }
  return declarations;
}
