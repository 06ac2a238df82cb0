import path from 'node:path';
import {
  type CallExpression,
  type ClassDeclaration,
  type ImportDeclaration,
  type MethodDeclaration,
  type NewExpression,
  Node,
  type Project,
  type SourceFile,
  SyntaxKind,
} from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { AppModel, ServiceModel } from '../model.js';
import { RULES, type RuleCode } from './rules.js';
import { applySuppressions } from './suppressions.js';

/** A function-like body the walk can enter. */
type Body = Node;

interface WalkContext {
  service: ServiceModel;
  cls: ClassDeclaration;
  /** Names the DurableContext goes by in the body being walked (the workflow's parameter, branch parameters). */
  ctxNames: ReadonlySet<string>;
  /** `ReviewService.review → jitter`: how the walk got here. */
  chain: string[];
  /** Where the code runs, as the message says it (default: in workflow code). */
  where?: string;
}

const CRYPTO_MODULES = new Set(['crypto', 'node:crypto']);
const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises']);
const HTTP_MODULES = new Set(['http', 'node:http', 'https', 'node:https', 'http2', 'node:http2']);
const NET_MODULES = new Set(['net', 'node:net', 'dgram', 'node:dgram', 'tls', 'node:tls']);
const TIMER_MODULES = new Set(['timers', 'node:timers', 'timers/promises', 'node:timers/promises']);
const CRYPTO_RANDOM = new Set([
  'randomUUID',
  'randomBytes',
  'randomInt',
  'getRandomValues',
  'randomFillSync',
  'randomFill',
]);
const UUID_RANDOM = new Set(['v1', 'v4', 'v6', 'v7']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);
/** ctx operations whose function arguments run as a step (not replayed): the walk does not enter them. */
const CTX_STEP_CALLBACKS = new Set(['step', 'waitForCallback']);

/**
 * The determinism lint (DESIGN §6): walks workflow code — the bodies of
 * `@Workflow` methods, every function or method they call that resolves
 * inside the project (local functions, functions imported from project files,
 * non-step methods of the class), and the module top level of service files —
 * and reports non-deterministic values, timers and I/O outside steps. Calls
 * into `@Step` methods and `ctx.*` are the boundary. A finding reached through
 * helpers is reported at the offending call and names the chain.
 */
export function lint(project: Project, model: AppModel): Diagnostic[] {
  const findings = new Map<string, Diagnostic>();
  const report = (node: Node, code: RuleCode, what: string, chain: string[], where = 'in workflow code'): void => {
    const file = node.getSourceFile();
    const { line, column } = file.getLineAndColumnAtPos(node.getStart());
    const relative = path.relative(model.root, file.getFilePath()).split(path.sep).join('/');
    const key = `${relative}:${line}:${column}:${code}`;
    if (findings.has(key)) return;
    const rule = RULES[code];
    const via = chain.length > 1 ? ` (reached ${[...chain, what].join(' → ')})` : '';
    findings.set(key, {
      file: relative,
      line,
      column,
      code,
      severity: rule.severity,
      message: `${what} ${where}${via}: it ${rule.why}. Fix: ${rule.fix}.`,
    });
  };

  for (const service of model.services) {
    const file = project.getSourceFile(path.join(model.root, service.source));
    const cls = file?.getClass(service.className);
    if (file === undefined || cls === undefined) continue;
    const steps = new Set(service.steps.map((s) => s.method));
    const walker = new Walker(project, steps, report);
    for (const workflow of service.workflows) {
      const method = cls.getMethod(workflow.method);
      const body = method?.getBody();
      if (method === undefined || body === undefined) continue;
      walker.walk(body, {
        service,
        cls,
        ctxNames: new Set(
          method
            .getParameters()
            .slice(0, 1)
            .map((p) => p.getName()),
        ),
        chain: [`${service.className}.${workflow.method}`],
      });
    }
    walker.walkTopLevel(file, service, cls);
    for (const step of service.steps) {
      const method = cls.getMethod(step.method);
      if (method !== undefined) checkStepBody(method, steps, service, report);
    }
  }
  return applySuppressions([...findings.values()], project, model.root);
}

class Walker {
  readonly #visited = new Set<Node>();

  constructor(
    private readonly project: Project,
    private readonly steps: Set<string>,
    private readonly report: (node: Node, code: RuleCode, what: string, chain: string[], where?: string) => void,
  ) {}

  /** Module top level of a service file: what runs when the module is imported (on every cold start and replay). */
  walkTopLevel(file: SourceFile, service: ServiceModel, cls: ClassDeclaration): void {
    for (const statement of file.getStatements()) {
      if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement)) continue;
      if (
        Node.isImportDeclaration(statement) ||
        Node.isTypeAliasDeclaration(statement) ||
        Node.isInterfaceDeclaration(statement)
      ) {
        continue;
      }
      this.walk(
        statement,
        { service, cls, ctxNames: new Set(), chain: [], where: 'at the top level of a service module' },
        true,
      );
    }
  }

  walk(body: Body, context: WalkContext, topLevel = false): void {
    const walkContext = { ...context, ctxNames: new Set(context.ctxNames) };
    context = walkContext;
    body.forEachDescendant((node, traversal) => {
      // Function bodies declared here run only if called: a call resolves into them below.
      if (topLevel && (Node.isArrowFunction(node) || Node.isFunctionExpression(node))) {
        traversal.skip();
        return;
      }
      if (Node.isNewExpression(node)) {
        this.#checkNew(node, context);
        return;
      }
      if (!Node.isCallExpression(node)) return;
      const callee = node.getExpression();
      if (Node.isPropertyAccessExpression(callee)) {
        const receiver = callee.getExpression();
        const member = callee.getName();
        if (receiver.getKind() === SyntaxKind.ThisKeyword) {
          if (this.steps.has(member)) return; // a step: its body is free
          const method = context.cls.getMethod(member);
          if (method !== undefined) this.#enter(method, member, context, contextParameters(method));
          return;
        }
        if (Node.isIdentifier(receiver) && context.ctxNames.has(receiver.getText())) {
          if (CTX_STEP_CALLBACKS.has(member)) {
            // Its callback runs once as a step; the walk goes on after the call, not into it.
            for (const argument of node.getArguments()) this.#skipInside(argument);
          } else if (member === 'parallel' || member === 'map') {
            // Branches are workflow code, and get a context of their own.
            const names = context.ctxNames as Set<string>;
            for (const branch of branchFunctions(node)) {
              const parameter = branch.getParameters()[member === 'parallel' ? 0 : 2];
              if (parameter !== undefined) names.add(parameter.getName());
            }
          }
          return;
        }
      }
      this.#checkCall(node, context);
      this.#followCall(node, context);
    });
  }

  /** Marks a subtree as not to be walked (ctx.step callbacks). */
  #skipInside(node: Node): void {
    this.#visited.add(node);
    node.forEachDescendant((child) => {
      this.#visited.add(child);
    });
  }

  #checkNew(node: NewExpression, context: WalkContext): void {
    if (this.#visited.has(node)) return;
    const expression = node.getExpression();
    if (Node.isIdentifier(expression) && expression.getText() === 'Date' && (node.getArguments().length ?? 0) === 0) {
      if (isGlobal(expression)) this.report(node, 'nondeterministic-time', 'new Date()', context.chain, context.where);
    }
  }

  #checkCall(node: CallExpression, context: WalkContext): void {
    if (this.#visited.has(node)) return;
    const found = classifyCall(node);
    if (found !== undefined) this.report(node, found.code, found.what, context.chain, context.where);
  }

  /** Enters a function the call resolves to inside the project. */
  #followCall(node: CallExpression, context: WalkContext): void {
    if (this.#visited.has(node)) return;
    const callee = node.getExpression();
    let target: Node | undefined;
    let name: string | undefined;
    if (Node.isIdentifier(callee)) {
      name = callee.getText();
      target = resolveFunction(callee.getSourceFile(), name, this.project);
    } else if (Node.isPropertyAccessExpression(callee) && Node.isIdentifier(callee.getExpression())) {
      // namespace.fn() for `import * as helpers from './helpers.js'`
      const namespace = callee.getExpression().getText();
      const file = importedNamespaceFile(callee.getSourceFile(), namespace, this.project);
      if (file !== undefined) {
        name = callee.getName();
        target = localFunction(file, name);
      }
    }
    if (target !== undefined && name !== undefined) this.#enter(target, name, context, contextParameters(target));
  }

  #enter(fn: Node, name: string, context: WalkContext, ctxNames: string[]): void {
    if (this.#visited.has(fn)) return;
    this.#visited.add(fn);
    const body = functionBody(fn);
    if (body === undefined) return;
    this.walk(body, {
      ...context,
      ctxNames: new Set([...context.ctxNames, ...ctxNames]),
      chain: [...context.chain, name],
    });
    // Reached through another path later, the same function reports at the same nodes: findings are deduplicated.
    this.#visited.delete(fn);
  }
}

/** Steps must not call ctx operations or other steps. */
function checkStepBody(
  method: MethodDeclaration,
  steps: Set<string>,
  service: ServiceModel,
  report: (node: Node, code: RuleCode, what: string, chain: string[], where?: string) => void,
): void {
  const body = method.getBody();
  if (body === undefined) return;
  const contextNames = new Set(
    method
      .getParameters()
      .filter((p) => /DurableContext/.test(p.getTypeNode()?.getText() ?? ''))
      .map((p) => p.getName()),
  );
  const where = `in step ${service.className}.${method.getName()}`;
  body.forEachDescendant((node) => {
    if (!Node.isCallExpression(node)) return;
    const callee = node.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) return;
    const receiver = callee.getExpression();
    if (receiver.getKind() === SyntaxKind.ThisKeyword && steps.has(callee.getName())) {
      report(node, 'nested-step', `this.${callee.getName()}()`, [], where);
    } else if (Node.isIdentifier(receiver) && contextNames.has(receiver.getText())) {
      report(node, 'ctx-in-step', `${receiver.getText()}.${callee.getName()}()`, [], where);
    }
  });
}

/** What a call is, if a rule forbids it in workflow code. */
function classifyCall(node: CallExpression): { code: RuleCode; what: string } | undefined {
  const callee = node.getExpression();
  if (Node.isIdentifier(callee)) {
    const name = callee.getText();
    const imported = importOf(callee.getSourceFile(), name);
    if (imported !== undefined) {
      const { module, importedName } = imported;
      if (CRYPTO_MODULES.has(module) && CRYPTO_RANDOM.has(importedName))
        return { code: 'nondeterministic-random', what: `${name}()` };
      if (module === 'uuid' && UUID_RANDOM.has(importedName))
        return { code: 'nondeterministic-random', what: `${name}()` };
      if (module === 'nanoid' && importedName === 'nanoid')
        return { code: 'nondeterministic-random', what: `${name}()` };
      if (FS_MODULES.has(module) || NET_MODULES.has(module) || HTTP_MODULES.has(module)) {
        return { code: 'io-outside-step', what: `${name}() from '${module}'` };
      }
      if (TIMER_MODULES.has(module) && (TIMERS.has(importedName) || module.endsWith('promises'))) {
        return { code: 'timer-outside-sleep', what: `${name}()` };
      }
      return undefined;
    }
    if (!isGlobal(callee)) return undefined;
    if (TIMERS.has(name)) return { code: 'timer-outside-sleep', what: `${name}()` };
    if (name === 'fetch') return { code: 'io-outside-step', what: 'fetch()' };
    if (name === 'Date' && node.getArguments().length === 0) return { code: 'nondeterministic-time', what: 'Date()' };
    return undefined;
  }
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const member = callee.getName();
  const receiver = callee.getExpression();
  const receiverText = receiver.getText();
  if (Node.isIdentifier(receiver)) {
    const imported = importOf(receiver.getSourceFile(), receiverText);
    if (imported !== undefined) {
      const { module } = imported;
      if (CRYPTO_MODULES.has(module) && CRYPTO_RANDOM.has(member))
        return { code: 'nondeterministic-random', what: `${receiverText}.${member}()` };
      if (module === 'uuid' && UUID_RANDOM.has(member))
        return { code: 'nondeterministic-random', what: `${receiverText}.${member}()` };
      if (FS_MODULES.has(module) || NET_MODULES.has(module) || HTTP_MODULES.has(module)) {
        return { code: 'io-outside-step', what: `${receiverText}.${member}() from '${module}'` };
      }
      if (TIMER_MODULES.has(module)) return { code: 'timer-outside-sleep', what: `${receiverText}.${member}()` };
      return undefined;
    }
    if (isGlobal(receiver)) {
      if (receiverText === 'Date' && member === 'now') return { code: 'nondeterministic-time', what: 'Date.now()' };
      if (receiverText === 'Math' && member === 'random')
        return { code: 'nondeterministic-random', what: 'Math.random()' };
      if (receiverText === 'performance' && member === 'now')
        return { code: 'nondeterministic-time', what: 'performance.now()' };
      if (receiverText === 'process' && member === 'hrtime')
        return { code: 'nondeterministic-time', what: 'process.hrtime()' };
      if (receiverText === 'crypto' && CRYPTO_RANDOM.has(member))
        return { code: 'nondeterministic-random', what: `crypto.${member}()` };
    }
  }
  if (receiverText === 'process.hrtime' && member === 'bigint')
    return { code: 'nondeterministic-time', what: 'process.hrtime.bigint()' };
  if (receiverText === 'globalThis' && member === 'fetch')
    return { code: 'io-outside-step', what: 'globalThis.fetch()' };
  if (member === 'send' && isSdkSend(node, receiver))
    return { code: 'io-outside-step', what: `${receiverText}.send()` };
  return undefined;
}

/** `client.send(new XCommand(...))`, or `.send` on something named like an SDK client. */
function isSdkSend(node: CallExpression, receiver: Node): boolean {
  const [argument] = node.getArguments();
  if (argument !== undefined && Node.isNewExpression(argument) && /Command$/.test(argument.getExpression().getText()))
    return true;
  return /client$/i.test(receiver.getText());
}

/** True when no declaration in scope shadows the identifier (a global such as Date, Math, fetch). */
function isGlobal(identifier: Node): boolean {
  const name = identifier.getText();
  for (let scope: Node | undefined = identifier.getParent(); scope !== undefined; scope = scope.getParent()) {
    if (Node.isSourceFile(scope) || Node.isBlock(scope) || Node.isFunctionLikeDeclaration(scope)) {
      const declared =
        (Node.isFunctionLikeDeclaration(scope) && scope.getParameters().some((p) => p.getName() === name)) ||
        (Node.isSourceFile(scope) && importOf(scope, name) !== undefined) ||
        ((Node.isSourceFile(scope) || Node.isBlock(scope)) &&
          scope.getVariableStatements().some((s) => s.getDeclarations().some((d) => d.getName() === name))) ||
        ((Node.isSourceFile(scope) || Node.isBlock(scope)) && scope.getFunctions().some((f) => f.getName() === name));
      if (declared) return false;
    }
  }
  return true;
}

/** Where `name` was imported from in `file`, if it was: module specifier and the imported (not local) name. */
function importOf(
  file: SourceFile,
  name: string,
): { module: string; importedName: string; declaration: ImportDeclaration } | undefined {
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.isTypeOnly()) continue;
    const module = declaration.getModuleSpecifierValue();
    if (declaration.getDefaultImport()?.getText() === name) return { module, importedName: 'default', declaration };
    if (declaration.getNamespaceImport()?.getText() === name) return { module, importedName: '*', declaration };
    for (const named of declaration.getNamedImports()) {
      if (named.isTypeOnly()) continue;
      if ((named.getAliasNode()?.getText() ?? named.getName()) === name)
        return { module, importedName: named.getName(), declaration };
    }
  }
  return undefined;
}

/** A function declared in `file` under `name`: `function name() {}` or `const name = () => {}` / `function () {}`. */
function localFunction(file: SourceFile, name: string): Node | undefined {
  const declared = file.getFunction(name);
  if (declared !== undefined) return declared;
  const variable = file.getVariableDeclaration(name);
  const initializer = variable?.getInitializer();
  if (initializer !== undefined && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer)))
    return initializer;
  return undefined;
}

/** The function `name` refers to in `file`: declared there, or imported from a project file. */
function resolveFunction(file: SourceFile, name: string, project: Project): Node | undefined {
  const local = localFunction(file, name);
  if (local !== undefined) return local;
  const imported = importOf(file, name);
  if (imported === undefined || imported.importedName === '*' || imported.importedName === 'default') return undefined;
  const target = projectFile(file, imported.module, project);
  return target === undefined ? undefined : localFunction(target, imported.importedName);
}

function importedNamespaceFile(file: SourceFile, namespace: string, project: Project): SourceFile | undefined {
  const imported = importOf(file, namespace);
  if (imported === undefined || imported.importedName !== '*') return undefined;
  return projectFile(file, imported.module, project);
}

/** The project source file a relative module specifier names (`./helpers.js` → helpers.ts), if it is one. */
function projectFile(from: SourceFile, specifier: string, project: Project): SourceFile | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from.getFilePath()), specifier);
  const stem = base.replace(/\.(m|c)?js$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, path.join(base, 'index.ts')]) {
    const file = project.getSourceFile(candidate) ?? project.addSourceFileAtPathIfExists(candidate);
    if (file !== undefined) return file;
  }
  return undefined;
}

/** Parameters of a helper typed as DurableContext: the names it calls durable operations on. */
function contextParameters(fn: Node): string[] {
  if (!Node.isFunctionLikeDeclaration(fn) && !Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return [];
  return fn
    .getParameters()
    .filter((p) => /\bDurableContext\b/.test(p.getTypeNode()?.getText() ?? ''))
    .map((p) => p.getName());
}

/** The function literals passed to ctx.parallel (in its array) or ctx.map. */
function branchFunctions(
  call: CallExpression,
): (import('ts-morph').ArrowFunction | import('ts-morph').FunctionExpression)[] {
  const found: (import('ts-morph').ArrowFunction | import('ts-morph').FunctionExpression)[] = [];
  for (const argument of call.getArguments()) {
    const candidates = Node.isArrayLiteralExpression(argument) ? argument.getElements() : [argument];
    for (const candidate of candidates) {
      if (Node.isArrowFunction(candidate) || Node.isFunctionExpression(candidate)) found.push(candidate);
    }
  }
  return found;
}

function functionBody(fn: Node): Node | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) || Node.isFunctionExpression(fn))
    return fn.getBody();
  if (Node.isArrowFunction(fn)) return fn.getBody();
  return undefined;
}
