import { type Decorator, Node, type SourceFile } from 'ts-morph';

/** The package whose decorators mark durable services. */
export const CORE = '@durable/core';

/** The decorators the scanner reads. */
export type DecoratorKind = 'DurableService' | 'Workflow' | 'Step';

/** The local names under which a file imports the decorators from @durable/core. */
export interface CoreImports {
  named: Map<string, DecoratorKind>;
  namespaces: Set<string>;
}

/** How `file` imports core's decorators: by name (aliases included) and through namespaces. */
export function coreImports(file: SourceFile): CoreImports {
  const imports: CoreImports = { named: new Map(), namespaces: new Set() };
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getModuleSpecifierValue() !== CORE) continue;
    const namespace = declaration.getNamespaceImport();
    if (namespace !== undefined) imports.namespaces.add(namespace.getText());
    for (const named of declaration.getNamedImports()) {
      const name = named.getName();
      if (name === 'DurableService' || name === 'Workflow' || name === 'Step') {
        imports.named.set(named.getAliasNode()?.getText() ?? name, name);
      }
    }
  }
  return imports;
}

/** The decorator of `kind` from @durable/core among `decorators` (`@Step()`, `@Alias()`, `@durable.Step()`). */
export function findDecorator(
  decorators: Decorator[],
  kind: DecoratorKind,
  imports: CoreImports,
): Decorator | undefined {
  return decorators.find((decorator) => {
    let expression: Node = decorator.getExpression();
    if (Node.isCallExpression(expression)) expression = expression.getExpression();
    if (Node.isIdentifier(expression)) return imports.named.get(expression.getText()) === kind;
    if (Node.isPropertyAccessExpression(expression)) {
      return imports.namespaces.has(expression.getExpression().getText()) && expression.getName() === kind;
    }
    return false;
  });
}
