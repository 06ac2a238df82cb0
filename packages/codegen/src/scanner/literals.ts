import { Node, type NumericLiteral } from 'ts-morph';

/** A value read from source without running it, or the node that is not a literal. */
export type LiteralResult = { ok: true; value: LiteralValue } | { ok: false; node: Node };

export type LiteralValue = string | number | boolean | null | LiteralValue[] | { [key: string]: LiteralValue };

/**
 * Reads a literal expression: strings, numbers (with a sign), booleans, null,
 * arrays and object literals of those, through `as const`, `satisfies` and
 * parentheses. Anything that would need running code (a variable, a call, a
 * spread, a computed key, a template with substitutions) is reported as the
 * node at fault.
 */
export function readLiteral(node: Node): LiteralResult {
  if (Node.isAsExpression(node) || Node.isSatisfiesExpression(node) || Node.isParenthesizedExpression(node)) {
    return readLiteral(node.getExpression());
  }
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    return { ok: true, value: node.getLiteralValue() };
  }
  if (Node.isNumericLiteral(node)) return { ok: true, value: numericValue(node) };
  if (Node.isPrefixUnaryExpression(node)) {
    const operand = node.getOperand();
    const text = node.getText().trim();
    if (Node.isNumericLiteral(operand) && (text.startsWith('-') || text.startsWith('+'))) {
      const value = numericValue(operand);
      return { ok: true, value: text.startsWith('-') ? -value : value };
    }
    return { ok: false, node };
  }
  if (Node.isTrueLiteral(node)) return { ok: true, value: true };
  if (Node.isFalseLiteral(node)) return { ok: true, value: false };
  if (Node.isNullLiteral(node)) return { ok: true, value: null };
  if (Node.isArrayLiteralExpression(node)) {
    const values: LiteralValue[] = [];
    for (const element of node.getElements()) {
      const read = readLiteral(element);
      if (!read.ok) return read;
      values.push(read.value);
    }
    return { ok: true, value: values };
  }
  if (Node.isObjectLiteralExpression(node)) {
    const value: { [key: string]: LiteralValue } = {};
    for (const property of node.getProperties()) {
      if (!Node.isPropertyAssignment(property)) return { ok: false, node: property };
      const nameNode = property.getNameNode();
      let key: string;
      if (Node.isIdentifier(nameNode)) key = nameNode.getText();
      else if (Node.isStringLiteral(nameNode)) key = nameNode.getLiteralValue();
      else if (Node.isNumericLiteral(nameNode)) key = String(numericValue(nameNode));
      else return { ok: false, node: nameNode };
      const read = readLiteral(property.getInitializerOrThrow());
      if (!read.ok) return read;
      value[key] = read.value;
    }
    return { ok: true, value };
  }
  return { ok: false, node };
}

/**
 * The value of a numeric literal. TypeScript normalizes its text (`0x10` → `16`, `1_000` → `1000`,
 * `1e-7` stays); ts-morph's getLiteralValue() parses that with parseInt when there is no '.', which
 * reads `1e-7` as 1 and `1e21` as 1.
 */
function numericValue(literal: NumericLiteral): number {
  return Number(literal.getLiteralText());
}
