import path from 'node:path';
import { type Project, ts } from 'ts-morph';

/** How a local name of a module was imported: the module specifier and the name it has there (`default`, `*`). */
export interface ImportedName {
  module: string;
  importedName: string;
}

/** A function body the lint can enter. */
export type FunctionNode =
  | ts.FunctionDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration;

type Export = { local: string } | { node: FunctionNode } | { module: string; name: string };

/** What the lint needs to know of one module, read once. */
interface ModuleInfo {
  /** Value imports by local name (`import type` left out: it never runs). */
  imports: Map<string, ImportedName>;
  /** Functions declared at the top level: `function f() {}`, `const f = () => {}`. */
  functions: Map<string, FunctionNode>;
  /** Exported name → what it is: a local name, an anonymous default export, or a re-export. */
  exports: Map<string, Export>;
  /** Specifiers of `export * from '…'`. */
  starExports: string[];
}

/** The files the scanner never reads, so the lint does not enter them either. */
const OUTSIDE_PROJECT = /\/(?:node_modules|generated)\//;

/**
 * Resolves calls to functions of the project, syntactically: names declared in
 * a module, imported from a project file (named, default or `import * as`),
 * through re-exports and barrels. Modules outside the project (packages,
 * node_modules, generated code) are not entered.
 */
export class Modules {
  readonly #infos = new Map<ts.SourceFile, ModuleInfo>();
  readonly #files = new Map<string, ts.SourceFile | undefined>();

  constructor(private readonly project: Project) {}

  /** The value imports of `file`, by local name. */
  imports(file: ts.SourceFile): ReadonlyMap<string, ImportedName> {
    return this.#info(file).imports;
  }

  /** The function a call `name()` in `file` runs, when it is declared there or imported from a project file. */
  resolveName(file: ts.SourceFile, name: string): FunctionNode | undefined {
    const info = this.#info(file);
    const local = info.functions.get(name);
    if (local !== undefined) return local;
    const imported = info.imports.get(name);
    if (imported === undefined || imported.importedName === '*') return undefined;
    const target = this.projectFile(file, imported.module);
    return target === undefined ? undefined : this.#resolveExport(target, imported.importedName, new Set());
  }

  /** The function `namespace.name()` runs, for `import * as namespace from './module.js'`. */
  resolveMember(file: ts.SourceFile, namespace: string, name: string): FunctionNode | undefined {
    const imported = this.#info(file).imports.get(namespace);
    if (imported?.importedName !== '*') return undefined;
    const target = this.projectFile(file, imported.module);
    return target === undefined ? undefined : this.#resolveExport(target, name, new Set());
  }

  /** The project source file a relative specifier names (`./helpers.js` → helpers.ts, `./lib` → lib/index.ts). */
  projectFile(from: ts.SourceFile, specifier: string): ts.SourceFile | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const base = path.resolve(path.dirname(from.fileName), specifier);
    if (this.#files.has(base)) return this.#files.get(base);
    const stem = base.replace(/\.[cm]?[jt]sx?$/, '');
    let found: ts.SourceFile | undefined;
    for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, path.join(base, 'index.ts')]) {
      if (OUTSIDE_PROJECT.test(candidate.split(path.sep).join('/'))) break;
      const file = this.project.getSourceFile(candidate) ?? this.project.addSourceFileAtPathIfExists(candidate);
      if (file !== undefined) {
        found = file.compilerNode;
        break;
      }
    }
    this.#files.set(base, found);
    return found;
  }

  #resolveExport(file: ts.SourceFile, name: string, seen: Set<string>): FunctionNode | undefined {
    const key = `${file.fileName}#${name}`;
    if (seen.has(key)) return undefined; // an export cycle
    seen.add(key);
    const info = this.#info(file);
    const exported = info.exports.get(name);
    if (exported !== undefined) {
      if ('node' in exported) return exported.node;
      if ('local' in exported) {
        const local = info.functions.get(exported.local);
        if (local !== undefined) return local;
        // `import { f } from './f.js'; export { f };`
        const imported = info.imports.get(exported.local);
        if (imported === undefined || imported.importedName === '*') return undefined;
        const target = this.projectFile(file, imported.module);
        return target === undefined ? undefined : this.#resolveExport(target, imported.importedName, seen);
      }
      const target = this.projectFile(file, exported.module);
      return target === undefined ? undefined : this.#resolveExport(target, exported.name, seen);
    }
    if (name === 'default') return undefined;
    for (const specifier of info.starExports) {
      const target = this.projectFile(file, specifier);
      const found = target === undefined ? undefined : this.#resolveExport(target, name, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  #info(file: ts.SourceFile): ModuleInfo {
    let info = this.#infos.get(file);
    if (info === undefined) {
      info = readModule(file);
      this.#infos.set(file, info);
    }
    return info;
  }
}

function readModule(file: ts.SourceFile): ModuleInfo {
  const info: ModuleInfo = { imports: new Map(), functions: new Map(), exports: new Map(), starExports: [] };
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      readImport(statement, info.imports);
    } else if (ts.isFunctionDeclaration(statement)) {
      if (statement.body === undefined) continue;
      const name = statement.name?.text;
      if (name !== undefined) info.functions.set(name, statement);
      if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
        if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) info.exports.set('default', { node: statement });
        else if (name !== undefined) info.exports.set(name, { local: name });
      }
    } else if (ts.isVariableStatement(statement)) {
      const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const fn = functionLiteral(declaration.initializer);
        if (fn === undefined) continue;
        info.functions.set(declaration.name.text, fn);
        if (isExported) info.exports.set(declaration.name.text, { local: declaration.name.text });
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const fn = functionLiteral(statement.expression);
      if (fn !== undefined) info.exports.set('default', { node: fn });
      else if (ts.isIdentifier(statement.expression)) info.exports.set('default', { local: statement.expression.text });
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      const module =
        statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      const clause = statement.exportClause;
      if (clause === undefined) {
        if (module !== undefined) info.starExports.push(module);
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          if (element.isTypeOnly) continue;
          const local = (element.propertyName ?? element.name).text;
          info.exports.set(element.name.text, module === undefined ? { local } : { module, name: local });
        }
      }
    }
  }
  return info;
}

function readImport(declaration: ts.ImportDeclaration, imports: Map<string, ImportedName>): void {
  const clause = declaration.importClause;
  if (clause === undefined || clause.isTypeOnly || !ts.isStringLiteral(declaration.moduleSpecifier)) return;
  const module = declaration.moduleSpecifier.text;
  if (clause.name !== undefined) imports.set(clause.name.text, { module, importedName: 'default' });
  const bindings = clause.namedBindings;
  if (bindings === undefined) return;
  if (ts.isNamespaceImport(bindings)) {
    imports.set(bindings.name.text, { module, importedName: '*' });
    return;
  }
  for (const element of bindings.elements) {
    if (element.isTypeOnly) continue;
    imports.set(element.name.text, { module, importedName: (element.propertyName ?? element.name).text });
  }
}

/** `() => {}` or `function () {}`, through parentheses. */
export function functionLiteral(node: ts.Node | undefined): ts.ArrowFunction | ts.FunctionExpression | undefined {
  let current = node;
  while (current !== undefined && ts.isParenthesizedExpression(current)) current = current.expression;
  return current !== undefined && (ts.isArrowFunction(current) || ts.isFunctionExpression(current))
    ? current
    : undefined;
}

function hasModifier(node: ts.HasModifiers, kind: ts.SyntaxKind): boolean {
  return ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false;
}
