import { ts } from 'ts-morph';
import { type FunctionNode, functionLiteral } from './modules.js';

/**
 * The function a name refers to where it is used, looking through the
 * enclosing scopes: a nested `function f() {}` or `const f = () => {}`. Undefined
 * when the nearest declaration of the name is something else, or there is none.
 * `isNested` tells a function declared inside another (a closure) from one at the top level.
 */
export function localFunction(identifier: ts.Identifier): { fn: FunctionNode; isNested: boolean } | undefined {
  const name = identifier.text;
  for (let scope: ts.Node | undefined = identifier.parent; scope !== undefined; scope = scope.parent) {
    if (!declares(scope, name)) continue;
    if (!hasStatements(scope)) return undefined; // a parameter, a loop or catch variable
    for (const statement of scope.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && statement.body !== undefined) {
        return { fn: statement, isNested: !ts.isSourceFile(scope) };
      }
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== name) continue;
        const fn = functionLiteral(declaration.initializer);
        return fn === undefined ? undefined : { fn, isNested: !ts.isSourceFile(scope) };
      }
    }
    return undefined;
  }
  return undefined;
}

/** A function literal the code names, so it runs when called, not where it is written: `const f = () => {}`. */
export function isNamedFunctionLiteral(node: ts.Node): boolean {
  return (
    (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) &&
    ts.isVariableDeclaration(node.parent) &&
    ts.isIdentifier(node.parent.name)
  );
}

type StatementScope = ts.SourceFile | ts.Block | ts.ModuleBlock | ts.CaseClause | ts.DefaultClause;

function hasStatements(scope: ts.Node): scope is StatementScope {
  return ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) || ts.isCaseOrDefaultClause(scope);
}

/** True when no declaration in scope shadows the identifier (a global such as Date, Math, fetch). */
export function isGlobal(identifier: ts.Identifier): boolean {
  const name = identifier.text;
  for (let scope: ts.Node | undefined = identifier.parent; scope !== undefined; scope = scope.parent) {
    if (declares(scope, name)) return false;
  }
  return true;
}

/** Whether `scope` declares `name` for its body: a statement list, a function's parameters, a loop or catch variable. */
function declares(scope: ts.Node, name: string): boolean {
  if (hasStatements(scope)) {
    return scope.statements.some((statement) => statementDeclares(statement, name));
  }
  if (ts.isFunctionLike(scope)) {
    if ((ts.isFunctionExpression(scope) || ts.isClassExpression(scope)) && scope.name?.text === name) return true;
    return scope.parameters.some((parameter) => bindsName(parameter.name, name));
  }
  if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
    const initializer = scope.initializer;
    return (
      initializer !== undefined &&
      ts.isVariableDeclarationList(initializer) &&
      initializer.declarations.some((declaration) => bindsName(declaration.name, name))
    );
  }
  if (ts.isCatchClause(scope)) {
    return scope.variableDeclaration !== undefined && bindsName(scope.variableDeclaration.name, name);
  }
  return false;
}

function statementDeclares(statement: ts.Statement, name: string): boolean {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.some((declaration) => bindsName(declaration.name, name));
  }
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
    return statement.name?.text === name;
  }
  if (ts.isImportEqualsDeclaration(statement)) return statement.name.text === name;
  return false;
}

/** Whether a binding (`x`, `{ x }`, `{ y: x }`, `[x]`, `...x`) introduces `name`. */
function bindsName(binding: ts.BindingName, name: string): boolean {
  if (ts.isIdentifier(binding)) return binding.text === name;
  return binding.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(element.name, name));
}
