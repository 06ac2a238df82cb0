import path from 'node:path';
import ts from 'typescript';

/**
 * Every diagnostic code that codegen and the CLI can print, read from their
 * sources with the type checker, so that a code built elsewhere (a kind of
 * core's `functionNameProblem`, a rule key) is found through its type:
 *
 * - the value of the `code:` property of an object literal that also has a
 *   `severity` (a finding, or a rule);
 * - the argument given to a parameter named `code` (`report(…, code, …)`).
 *
 * A value whose type is a string literal, a union of them, or a template of
 * such parts gives its codes. A plain `string` cannot be read: it is listed
 * in `unreadable` (by its expression), for the caller to resolve or refuse.
 * Only kebab-case values count: the UPPER_SNAKE codes of error classes are
 * not findings.
 */
export interface FoundCodes {
  /** code → where it is built (`file:line`). */
  codes: Map<string, string[]>;
  /** The expression of each value whose codes the types do not say, with the file it is in. */
  unreadable: { expression: string; file: string }[];
}

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** The codes built in the non-test sources of the TypeScript projects named by `tsconfigs` (paths from `root`). */
export function diagnosticCodes(root: string, tsconfigs: readonly string[]): FoundCodes {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  };
  const configs = tsconfigs.map((file) => {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, file), {}, host);
    if (parsed === undefined) throw new Error(`${file} cannot be read`);
    return parsed;
  });
  const ownFiles = new Set(configs.flatMap((config) => config.fileNames.map((file) => path.resolve(file))));
  const program = ts.createProgram({
    rootNames: [...ownFiles],
    options: { ...configs[0]?.options, noEmit: true, composite: false, declaration: false, incremental: false },
  });
  const checker = program.getTypeChecker();
  const found: FoundCodes = { codes: new Map(), unreadable: [] };

  const record = (file: ts.SourceFile, value: ts.Expression): void => {
    const relative = path.relative(root, file.fileName).split(path.sep).join('/');
    const values = stringValues(checker, value);
    if (values === undefined) {
      found.unreadable.push({ expression: value.getText(file), file: relative });
      return;
    }
    const where = `${relative}:${file.getLineAndCharacterOfPosition(value.getStart(file)).line + 1}`;
    for (const code of values.filter((text) => KEBAB_CASE.test(text))) {
      found.codes.set(code, [...(found.codes.get(code) ?? []), where]);
    }
  };

  for (const file of program.getSourceFiles()) {
    if (!ownFiles.has(path.resolve(file.fileName))) continue;
    const visit = (node: ts.Node): void => {
      if (isFindingCode(node, file)) record(file, node.initializer);
      if (ts.isCallExpression(node)) {
        const parameters = checker.getResolvedSignature(node)?.parameters ?? [];
        const index = parameters.findIndex((parameter) => parameter.name === 'code');
        const argument = index === -1 ? undefined : node.arguments[index];
        if (argument !== undefined) record(file, argument);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return found;
}

/** `code: …` in an object literal that has a `severity` too: a finding (or a rule), not any object with a code. */
function isFindingCode(node: ts.Node, file: ts.SourceFile): node is ts.PropertyAssignment {
  if (!ts.isPropertyAssignment(node) || node.name.getText(file) !== 'code') return false;
  return node.parent.properties.some((property) => property.name?.getText(file) === 'severity');
}

/** The strings an expression can be, from its type; `[]` for what is no string at all; undefined when unknown. */
function stringValues(checker: ts.TypeChecker, value: ts.Expression): string[] | undefined {
  if (ts.isTemplateExpression(value)) {
    let values = [value.head.text];
    for (const span of value.templateSpans) {
      const parts = stringValues(checker, span.expression);
      if (parts === undefined || parts.length === 0) return undefined;
      values = values.flatMap((prefix) => parts.map((part) => prefix + part + span.literal.text));
    }
    return values;
  }
  const type = checker.getTypeAtLocation(value);
  const nullish = ts.TypeFlags.Undefined | ts.TypeFlags.Null;
  const members = (type.isUnion() ? type.types : [type]).filter((member) => (member.flags & nullish) === 0);
  if (members.every((member) => member.isStringLiteral())) {
    return members.map((member) => (member as ts.StringLiteralType).value);
  }
  const isString = members.some((member) => (member.flags & ts.TypeFlags.StringLike) !== 0);
  return isString ? undefined : [];
}
