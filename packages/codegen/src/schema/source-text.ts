import { type Node, ts } from 'ts-morph';

/**
 * The source of `node` as the schema records it: its tokens as written, comments left out and every run of
 * whitespace between tokens made one space. So reformatting or commenting code changes nothing, while any
 * change to the expression itself does. `until` cuts the text before a child (a loop's header without its body);
 * a node `elide` picks is written `…`.
 */
export function sourceText(node: Node, until?: Node, elide?: (node: ts.Node) => boolean): string {
  const file = node.getSourceFile().compilerNode;
  const end = until?.getStart();
  let text = '';
  let previousEnd = -1;
  const visit = (current: ts.Node): void => {
    if (end !== undefined && current.getStart(file) >= end) return;
    if (current.kind >= ts.SyntaxKind.FirstJSDocNode && current.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (elide?.(current) === true) {
      if (text !== '' && current.getStart(file) > previousEnd) text += ' ';
      text += '…';
      previousEnd = current.getEnd();
      return;
    }
    const children = current.getChildren(file);
    if (children.length > 0) {
      for (const child of children) visit(child);
      return;
    }
    const start = current.getStart(file);
    if (start === current.getEnd()) return;
    // Anything between two tokens (spaces, line breaks, comments) reads as one space.
    if (text !== '' && start > previousEnd) text += ' ';
    text += file.text.slice(start, current.getEnd());
    previousEnd = current.getEnd();
  };
  visit(node.compilerNode);
  return text;
}
