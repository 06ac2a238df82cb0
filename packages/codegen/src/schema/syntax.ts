/** Readings of ts-morph syntax the schema walk shares. */
import { type ArrowFunction, type FunctionDeclaration, type FunctionExpression, Node } from 'ts-morph';

/** A function written inside a method. */
export type LocalFunction = ArrowFunction | FunctionExpression | FunctionDeclaration;

/** `a.b` or `a['b']`: the receiver and the member's name. */
export function memberOf(callee: Node): { receiver: Node; name: string } | undefined {
  if (Node.isPropertyAccessExpression(callee)) return { receiver: callee.getExpression(), name: callee.getName() };
  if (Node.isElementAccessExpression(callee)) {
    const key = callee.getArgumentExpression();
    if (key !== undefined && (Node.isStringLiteral(key) || Node.isNoSubstitutionTemplateLiteral(key))) {
      return { receiver: callee.getExpression(), name: key.getLiteralValue() };
    }
  }
  return undefined;
}

/** The expression under parentheses, `as`, `satisfies` and `!`. */
export function unwrap(node: Node): Node {
  if (
    Node.isParenthesizedExpression(node) ||
    Node.isAsExpression(node) ||
    Node.isSatisfiesExpression(node) ||
    Node.isNonNullExpression(node)
  ) {
    return unwrap(node.getExpression());
  }
  return node;
}

/** The 1-based line a node starts on: what schema nodes record. */
export function line(node: Node): number {
  return node.getStartLineNumber();
}

/** A function named `identifier` declared in a block around it, inside the same class member. */
export function localFunction(identifier: Node): LocalFunction | undefined {
  const name = identifier.getText();
  for (const ancestor of identifier.getAncestors()) {
    if (Node.isClassDeclaration(ancestor) || Node.isSourceFile(ancestor)) return undefined;
    if (!Node.isBlock(ancestor) && !Node.isCaseClause(ancestor) && !Node.isDefaultClause(ancestor)) continue;
    for (const statement of ancestor.getStatements()) {
      if (Node.isFunctionDeclaration(statement) && statement.getName() === name) return statement;
      if (!Node.isVariableStatement(statement)) continue;
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializer();
        if (declaration.getName() !== name || initializer === undefined) continue;
        const code = unwrap(initializer);
        if (Node.isArrowFunction(code) || Node.isFunctionExpression(code)) return code;
      }
    }
  }
  return undefined;
}

/** A function written at the top of the file `identifier` names (declared, or a `const` holding one). */
export function moduleFunction(identifier: Node): LocalFunction | undefined {
  for (const declaration of identifier.getSymbol()?.getDeclarations() ?? []) {
    if (declaration.getSourceFile() !== identifier.getSourceFile()) continue;
    // A `declare function` has no code to follow: the call stays opaque.
    if (Node.isFunctionDeclaration(declaration) && Node.isSourceFile(declaration.getParent())) {
      return declaration.getBody() === undefined ? undefined : declaration;
    }
    if (!Node.isVariableDeclaration(declaration)) continue;
    const statement = declaration.getVariableStatement();
    const initializer = declaration.getInitializer();
    if (statement === undefined || !Node.isSourceFile(statement.getParent()) || initializer === undefined) continue;
    const code = unwrap(initializer);
    if (Node.isArrowFunction(code) || Node.isFunctionExpression(code)) return code;
  }
  return undefined;
}
