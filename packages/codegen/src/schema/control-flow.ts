import { Node, SyntaxKind } from 'ts-morph';
import { recordsOperation } from './exits.js';
import type { SchemaWalker, Scope } from './extract-schema.js';
import type { SchemaNode } from './schema-nodes.js';
import { sourceText } from './source-text.js';
import { line } from './syntax.js';
import { usesOf } from './uses.js';

/** `&&`, `||`, `??` and their assignments: the right side runs only on a condition. */
const SHORT_CIRCUITS = new Set([
  SyntaxKind.AmpersandAmpersandToken,
  SyntaxKind.BarBarToken,
  SyntaxKind.QuestionQuestionToken,
  SyntaxKind.AmpersandAmpersandEqualsToken,
  SyntaxKind.BarBarEqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
]);

/**
 * Conditionals, `try` and loops: the operations under them go into the paths or body of a branch or loop node
 * (left out when none is there); what runs before the choice (a condition, a loop's initializer) goes before it.
 * False when `node` is none of them.
 */
export function controlFlow(walker: SchemaWalker, node: Node, scope: Scope, out: SchemaNode[]): boolean {
  if (Node.isIfStatement(node)) {
    walker.visit(node.getExpression(), scope, out);
    const otherwise = node.getElseStatement();
    const paths = [
      walker.walk(node.getThenStatement(), scope),
      otherwise === undefined ? [] : walker.walk(otherwise, scope),
    ];
    branch(out, node, 'if', sourceText(node.getExpression()), paths, undefined, usesOf([node.getExpression()]));
    return true;
  }
  if (Node.isSwitchStatement(node)) {
    walker.visit(node.getExpression(), scope, out);
    const clauses = node.getClauses();
    const paths = clauses.map((clause) => {
      const path: SchemaNode[] = [];
      if (Node.isCaseClause(clause)) walker.visit(clause.getExpression(), scope, path);
      for (const statement of clause.getStatements()) walker.visit(statement, scope, path);
      return path;
    });
    const labels = clauses.map((clause) =>
      Node.isCaseClause(clause) ? sourceText(clause.getExpression()) : 'default',
    );
    const read = [
      node.getExpression(),
      ...clauses.map((clause) => (Node.isCaseClause(clause) ? clause.getExpression() : undefined)),
    ];
    branch(out, node, 'switch', sourceText(node.getExpression()), paths, labels, usesOf(read));
    return true;
  }
  if (Node.isTryStatement(node)) {
    const caught = node.getCatchClause()?.getBlock();
    const final = node.getFinallyBlock();
    const paths = [
      walker.walk(node.getTryBlock(), scope),
      caught === undefined ? [] : walker.walk(caught, scope),
      final === undefined ? [] : walker.walk(final, scope),
    ];
    branch(out, node, 'try', '', paths);
    return true;
  }
  if (Node.isConditionalExpression(node)) {
    walker.visit(node.getCondition(), scope, out);
    const paths = [walker.walk(node.getWhenTrue(), scope), walker.walk(node.getWhenFalse(), scope)];
    branch(out, node, 'conditional', sourceText(node.getCondition()), paths, undefined, usesOf([node.getCondition()]));
    return true;
  }
  if (Node.isBinaryExpression(node) && SHORT_CIRCUITS.has(node.getOperatorToken().getKind())) {
    walker.visit(node.getLeft(), scope, out);
    const condition = `${sourceText(node.getLeft())} ${node.getOperatorToken().getText()}`;
    const paths = [walker.walk(node.getRight(), scope), []];
    branch(out, node, 'conditional', condition, paths, undefined, usesOf([node.getLeft()]));
    return true;
  }
  return loop(walker, node, scope, out);
}

/** `for`, `for…of`, `for…in`, `while`, `do…while`: what runs once goes before the loop node, the rest in it. */
function loop(walker: SchemaWalker, node: Node, scope: Scope, out: SchemaNode[]): boolean {
  const body: SchemaNode[] = [];
  let header: string;
  let read: (Node | undefined)[];
  if (Node.isForStatement(node)) {
    const initializer = node.getInitializer();
    if (initializer !== undefined) walker.visit(initializer, scope, out);
    const condition = node.getCondition();
    if (condition !== undefined) walker.visit(condition, scope, body);
    walker.visit(node.getStatement(), scope, body);
    const incrementor = node.getIncrementor();
    if (incrementor !== undefined) walker.visit(incrementor, scope, body);
    header = sourceText(node, node.getStatement());
    read = [initializer, condition, incrementor];
  } else if (Node.isForOfStatement(node) || Node.isForInStatement(node)) {
    walker.visit(node.getExpression(), scope, out);
    walker.visit(node.getStatement(), scope, body);
    header = sourceText(node, node.getStatement());
    read = [node.getExpression()];
  } else if (Node.isWhileStatement(node)) {
    walker.visit(node.getExpression(), scope, body);
    walker.visit(node.getStatement(), scope, body);
    header = sourceText(node, node.getStatement());
    read = [node.getExpression()];
  } else if (Node.isDoStatement(node)) {
    walker.visit(node.getStatement(), scope, body);
    walker.visit(node.getExpression(), scope, body);
    header = `do … while (${sourceText(node.getExpression())})`;
    read = [node.getExpression()];
  } else {
    return false;
  }
  if (!recordsOperation(body)) return true;
  const uses = usesOf(read);
  out.push({ kind: 'loop', header, ...(uses === undefined ? {} : { uses }), body, line: node.getStartLineNumber() });
  return true;
}

/** Adds a branch node, unless no path holds an operation. */
export function branch(
  out: SchemaNode[],
  at: Node,
  form: 'if' | 'switch' | 'conditional' | 'try',
  condition: string,
  paths: SchemaNode[][],
  clauses?: string[],
  uses?: string[],
): void {
  // An exit counts: whatever follows the branch may be skipped by it.
  if (paths.every((path) => path.length === 0)) return;
  out.push({
    kind: 'branch',
    form,
    condition,
    paths,
    ...(clauses === undefined ? {} : { clauses }),
    ...(uses === undefined ? {} : { uses }),
    line: line(at),
  });
}
