import path from 'node:path';
import type { Node } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { SourceLocation } from '../model.js';

/** Where `node` starts, with its file relative to `root` and `/` separators (1-based, as editors link it). */
export function locate(node: Node, root: string): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = file.getLineAndColumnAtPos(node.getStart());
  return { file: path.relative(root, file.getFilePath()).split(path.sep).join('/'), line, column };
}

/** Adds an error at `at`. */
export function report(diagnostics: Diagnostic[], at: SourceLocation, code: string, message: string): void {
  diagnostics.push({ ...at, code, severity: 'error', message });
}
