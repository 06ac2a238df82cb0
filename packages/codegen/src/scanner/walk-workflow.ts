import { SERVICE_NAME_PATTERN } from '@durable/core';
import { type CallExpression, type MethodDeclaration, Node, SyntaxKind } from 'ts-morph';
import type { InvokeModel, ServiceModel, StepModel, WorkflowModel } from '../model.js';
import { readLiteral } from './literals.js';
import { locate } from './locate.js';

/** An import of a generated client: the module is named after the service it invokes (core's name pattern). */
const CLIENT_MODULE = new RegExp(
  `(?:^|/)generated/clients/(${SERVICE_NAME_PATTERN.source.replace(/^\^|\$$/g, '')})(?:\\.[cm]?[jt]s)?$`,
);

/**
 * Walks a workflow body in source order, into the non-step methods of its
 * class it calls (once each): the steps it reaches and the services it
 * invokes (through generated clients, or `ctx.invoke` with literal targets).
 */
export function walkWorkflow(
  method: MethodDeclaration,
  methods: Map<string, MethodDeclaration>,
  steps: Map<string, StepModel>,
  workflow: WorkflowModel,
  service: ServiceModel,
  root: string,
): void {
  const visited = new Set<string>([method.getName()]);
  const reached = new Set<string>();
  const visit = (body: Node): void => {
    body.forEachDescendant((node) => {
      if (!Node.isCallExpression(node)) return;
      const callee = node.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) return;
      const target = callee.getExpression();
      const member = callee.getName();
      if (target.getKind() === SyntaxKind.ThisKeyword) {
        const step = steps.get(member);
        if (step !== undefined) {
          reached.add(step.name);
          return;
        }
        const helper = methods.get(member);
        if (helper !== undefined && !visited.has(member)) {
          visited.add(member);
          const helperBody = helper.getBody();
          if (helperBody !== undefined) visit(helperBody);
        }
        return;
      }
      if (member === 'step' && isContextParameter(target, method)) {
        const [nameArgument] = node.getArguments();
        const read = nameArgument === undefined ? undefined : readLiteral(nameArgument);
        if (read?.ok && typeof read.value === 'string') reached.add(read.value);
        return;
      }
      if (member === 'waitForCallback' && isContextParameter(target, method)) {
        service.waitsForCallbacks = true;
        return;
      }
      if (member === 'invoke' && isContextParameter(target, method)) {
        const invoke = literalInvoke(node);
        if (invoke !== undefined)
          service.invokes.push({ ...invoke, fromMethod: workflow.method, location: locate(node, root) });
        return;
      }
      if (Node.isIdentifier(target)) {
        const targetService = clientModuleService(target);
        if (targetService !== undefined) {
          service.invokes.push({
            service: targetService,
            workflow: member,
            fromMethod: workflow.method,
            location: locate(node, root),
          });
        }
      }
    });
  };
  const body = method.getBody();
  if (body !== undefined) visit(body);
  workflow.steps = [...reached];
}

/** True for the workflow's first parameter (the DurableContext), whatever it is called. */
function isContextParameter(node: Node, method: MethodDeclaration): boolean {
  const first = method.getParameters()[0];
  return first !== undefined && Node.isIdentifier(node) && node.getText() === first.getName();
}

function literalInvoke(call: CallExpression): Pick<InvokeModel, 'service' | 'workflow'> | undefined {
  const [targetArgument] = call.getArguments();
  if (targetArgument === undefined) return undefined;
  const read = readLiteral(targetArgument);
  if (!read.ok || typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) return undefined;
  const { service, workflow } = read.value;
  return typeof service === 'string' && typeof workflow === 'string' ? { service, workflow } : undefined;
}

/** The service whose generated client module `identifier` was imported from, if it was. */
export function clientModuleService(identifier: Node): string | undefined {
  const name = identifier.getText();
  for (const declaration of identifier.getSourceFile().getImportDeclarations()) {
    const match = CLIENT_MODULE.exec(declaration.getModuleSpecifierValue());
    if (match === null) continue;
    if (declaration.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === name))
      return match[1];
  }
  return undefined;
}
