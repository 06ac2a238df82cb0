import { createHash } from 'node:crypto';
import type { Node } from 'ts-morph';
import { sourceText } from './source-text.js';

/**
 * 16 hex chars of sha256 over the code of the function `identifier` imports from another module of the
 * project, as written (comments and spacing aside); undefined when it is not an import or its module is not
 * part of the project. The walk does not follow code of other files, but a change to it is a change of what
 * the opaque call records.
 */
export function importedFunctionHash(identifier: Node): string | undefined {
  const symbol = identifier.getSymbol();
  if (symbol === undefined || !symbol.isAlias()) return undefined;
  const declarations = symbol.getAliasedSymbol()?.getDeclarations() ?? [];
  const code = declarations.filter((declaration) => declaration.getSourceFile() !== identifier.getSourceFile());
  if (code.length === 0) return undefined;
  const text = code.map((declaration) => sourceText(declaration)).join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
