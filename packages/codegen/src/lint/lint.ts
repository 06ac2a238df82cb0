import path from 'node:path';
import { type Project, ts } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { AppModel, ServiceModel } from '../model.js';
import { classifyCall, classifyNew, classifyReference } from './calls.js';
import { checkContextWait, checkStepDecoratorWaits } from './lambda-durable-waits.js';
import { type FunctionNode, functionLiteral, Modules } from './modules.js';
import { RULES, type RuleCode } from './rules.js';
import { isNamedFunctionLiteral, localFunction } from './scopes.js';
import { applySuppressions } from './suppressions.js';

/** Where the walk is: what the code is, and how it got there. */
interface Scope {
  /** The service class whose code this is (`this.x()` resolves in it), if the code runs as one of its methods. */
  cls: ServiceClass | undefined;
  /** Names the DurableContext goes by here: the workflow's parameter, branch and helper parameters. */
  ctxNames: ReadonlySet<string>;
  /** `ReviewService.review → jitter`: how the walk got here. */
  chain: readonly string[];
  /** Where the code runs, as the message says it. */
  where: string;
  /**
   * Module top level and field initializers: function bodies declared there
   * run only when called, so the walk does not enter them in place.
   */
  isTopLevel: boolean;
  /** The code runs on backend `lambda-durable`, whose waits are whole seconds: its ctx operations are checked so. */
  isLambdaDurable: boolean;
}

/** A `@DurableService` class as the walk needs it. */
interface ServiceClass {
  name: string;
  /** Names of its `@Step` methods: calling one is the boundary of workflow code. */
  steps: ReadonlySet<string>;
  /** Its other methods, and properties initialized with a function. */
  members: ReadonlyMap<string, FunctionNode>;
}

/** A function a call or reference resolves to, the name it goes by there, and its class (for `this.x()` inside). */
interface Target {
  fn: FunctionNode;
  name: string;
  cls: ServiceClass | undefined;
  /** Declared inside the code that uses it: it sees that code's DurableContext. */
  isClosure: boolean;
}

type Report = (node: ts.Node, code: RuleCode, what: string, chain: readonly string[], where: string) => void;

const IN_WORKFLOW = 'in workflow code';
const AT_TOP_LEVEL = 'at the top level of a service module';
/** ctx operations whose function arguments run as a step (once, not replayed). */
const CTX_STEP_CALLBACKS = new Set(['step', 'waitForCallback']);
/** ctx operations whose function arguments are workflow code, with a DurableContext of their own (at that index). */
const CTX_BRANCHES = new Map([
  ['parallel', 0],
  ['map', 2],
]);
const DURABLE_CONTEXT_TYPE = /\bDurableContext\b/;

/**
 * The determinism lint: walks workflow code — the bodies of
 * `@Workflow` methods, every function or method they call that resolves
 * inside the project (local functions, functions imported from project files,
 * non-step methods of the class), the module top level of service files and
 * what runs when a service is constructed — and reports non-deterministic
 * values, timers and I/O outside steps; and checks that step bodies (`@Step`
 * methods, `ctx.step` callbacks) neither call ctx operations nor other steps.
 * Calls into `@Step` methods and `ctx.*` are the boundary. A finding reached
 * through helpers is reported at the offending call and names the chain.
 */
export function lint(project: Project, model: AppModel): Diagnostic[] {
  const findings = new Map<string, Diagnostic>();
  const report: Report = (node, code, what, chain, where) => {
    const file = node.getSourceFile();
    const position = file.getLineAndCharacterOfPosition(node.getStart(file));
    const line = position.line + 1;
    const column = position.character + 1;
    const relative = path.relative(model.root, file.fileName).split(path.sep).join('/');
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

  const walker = new Walker(new Modules(project), report);
  const topLevelWalked = new Set<ts.SourceFile>();
  for (const service of model.services) {
    const file = project.getSourceFile(path.join(model.root, service.source))?.compilerNode;
    const declaration = file?.statements.find(
      (statement): statement is ts.ClassDeclaration =>
        ts.isClassDeclaration(statement) && statement.name?.text === service.className,
    );
    if (file === undefined || declaration === undefined) continue;
    const cls = serviceClass(declaration, service);
    const isLambdaDurable = service.backend === 'lambda-durable';
    for (const workflow of service.workflows) {
      const method = declaration.members.find(
        (member): member is ts.MethodDeclaration =>
          ts.isMethodDeclaration(member) && memberName(member) === workflow.method,
      );
      if (method?.body === undefined) continue;
      const ctxName = method.parameters[0]?.name;
      walker.walk(method.body, {
        cls,
        ctxNames: new Set(ctxName !== undefined && ts.isIdentifier(ctxName) ? [ctxName.text] : []),
        chain: [`${service.className}.${workflow.method}`],
        where: IN_WORKFLOW,
        isTopLevel: false,
        isLambdaDurable,
      });
    }
    walker.walkConstruction(declaration, cls);
    if (!topLevelWalked.has(file)) {
      topLevelWalked.add(file);
      walker.walkTopLevel(file, service.source);
    }
    for (const member of declaration.members) {
      if (isLambdaDurable && ts.isMethodDeclaration(member) && cls.steps.has(memberName(member) ?? '')) {
        checkStepDecoratorWaits(member, `@Step ${service.className}.${memberName(member)}`, (node, code, what) =>
          report(node, code, what, [], `in service '${service.name}'`),
        );
      }
      if (ts.isMethodDeclaration(member) && member.body !== undefined && cls.steps.has(memberName(member) ?? '')) {
        checkStepBody(
          member.body,
          cls,
          contextParameters(member),
          `in step ${service.className}.${memberName(member)}`,
          report,
        );
      }
    }
  }
  return applySuppressions([...findings.values()], project, model.root);
}

class Walker {
  /** Functions entered, each with the ctx names it was entered with: a function is walked once per such set. */
  readonly #entered = new Map<ts.Node, Set<string>>();

  constructor(
    private readonly modules: Modules,
    private readonly report: Report,
  ) {}

  /** Walks `node` and everything under it as code that runs in `scope`. */
  walk(node: ts.Node, scope: Scope): void {
    this.#visit(node, scope);
  }

  /** Module top level of a service file: what runs when the module loads (every cold start, so a replay elsewhere runs it again). */
  walkTopLevel(file: ts.SourceFile, source: string): void {
    const scope: Scope = {
      cls: undefined,
      ctxNames: new Set(),
      chain: [source],
      where: AT_TOP_LEVEL,
      isTopLevel: true,
      isLambdaDurable: false,
    };
    for (const statement of file.statements) {
      if (ts.isClassDeclaration(statement)) {
        // Static initializers run when the module loads.
        for (const member of statement.members) {
          if (ts.isClassStaticBlockDeclaration(member)) this.walk(member.body, scope);
          else if (ts.isPropertyDeclaration(member) && isStatic(member) && member.initializer !== undefined) {
            this.walk(member.initializer, scope);
          }
        }
        continue;
      }
      if (
        ts.isImportDeclaration(statement) ||
        ts.isExportDeclaration(statement) ||
        ts.isFunctionDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isModuleDeclaration(statement)
      ) {
        continue;
      }
      this.walk(statement, scope);
    }
  }

  /** Instance field initializers and the constructor: a new instance serves every invocation, so they run on each replay. */
  walkConstruction(declaration: ts.ClassDeclaration, cls: ServiceClass): void {
    const chain = [`${cls.name}.constructor`];
    const where = `when ${cls.name} is constructed (for every invocation)`;
    // No DurableContext reaches construction: nothing there waits.
    const scope = { cls, ctxNames: new Set<string>(), chain, where, isLambdaDurable: false };
    for (const member of declaration.members) {
      if (ts.isPropertyDeclaration(member) && !isStatic(member) && member.initializer !== undefined) {
        this.walk(member.initializer, { ...scope, isTopLevel: true });
      } else if (ts.isConstructorDeclaration(member) && member.body !== undefined) {
        this.walk(member.body, { ...scope, isTopLevel: false });
      }
    }
  }

  #visit(node: ts.Node, scope: Scope): void {
    // Types never run: `typeof Date.now`, `ReturnType<typeof fetch>`.
    if (ts.isTypeNode(node) || ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) return;
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {
      // A function declared with a name runs only if called (or passed along): the call resolves into it. At the
      // top level, no function runs where it is written (an IIFE is walked as a call). Callbacks run in place.
      if (scope.isTopLevel || ts.isClassLike(node) || ts.isFunctionDeclaration(node) || isNamedFunctionLiteral(node)) {
        return;
      }
      const names = contextParameters(node);
      if (names.length > 0) scope = { ...scope, ctxNames: new Set([...scope.ctxNames, ...names]) };
      ts.forEachChild(node, (child) => this.#visit(child, scope));
      return;
    }
    if (ts.isNewExpression(node)) {
      const found = classifyNew(node, this.modules.imports(node.getSourceFile()));
      if (found !== undefined) this.report(node, found.code, found.what, scope.chain, scope.where);
    } else if (ts.isCallExpression(node)) {
      if (this.#visitCall(node, scope)) return;
    }
    ts.forEachChild(node, (child) => this.#visit(child, scope));
  }

  /** Checks and follows a call; true when it walked the arguments itself. */
  #visitCall(call: ts.CallExpression, scope: Scope): boolean {
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee)) {
      const receiver = callee.expression;
      if (ts.isIdentifier(receiver) && scope.ctxNames.has(receiver.text)) {
        this.#visitContextCall(call, callee.name.text, scope);
        return true;
      }
    }
    const imports = this.modules.imports(call.getSourceFile());
    const found = classifyCall(call, imports);
    if (found !== undefined) this.report(call, found.code, found.what, scope.chain, scope.where);
    const iife = functionLiteral(callee);
    if (iife !== undefined) {
      // Runs where it is written, also at the top level.
      this.walk(iife.body, scope);
      for (const argument of call.arguments) this.walk(argument, scope);
      return true;
    }
    // A step is the boundary: its body is free (its arguments are still workflow code).
    const isStep =
      ts.isPropertyAccessExpression(callee) &&
      callee.expression.kind === ts.SyntaxKind.ThisKeyword &&
      scope.cls?.steps.has(callee.name.text) === true;
    if (isStep) return false;
    const target = found === undefined ? this.#resolve(callee, scope) : undefined;
    if (target !== undefined) this.#enter(target, scope, call.arguments);
    // A function passed along is likely called: `items.map(jitter)`, `items.map(Math.random)`. At the top level,
    // one passed along is mostly registered for later (`process.on('SIGTERM', shutdown)`): not entered there.
    for (const argument of call.arguments) {
      const passed = classifyReference(argument, imports);
      if (passed !== undefined) this.report(argument, passed.code, passed.what, scope.chain, scope.where);
      const reference = scope.isTopLevel ? undefined : this.#resolve(argument, scope);
      if (reference !== undefined) this.#enter(reference, scope);
    }
    return false;
  }

  /** `ctx.op(...)`: step callbacks run once (checked as step bodies); branches are workflow code. */
  #visitContextCall(call: ts.CallExpression, operation: string, scope: Scope): void {
    if (scope.isLambdaDurable) {
      checkContextWait(call, operation, (node, code, what) => this.report(node, code, what, scope.chain, scope.where));
    }
    const branchContext = CTX_BRANCHES.get(operation);
    for (const argument of call.arguments) {
      const elements = ts.isArrayLiteralExpression(argument) ? argument.elements : [argument];
      for (const element of elements) {
        const fn = functionLiteral(element);
        if (CTX_STEP_CALLBACKS.has(operation)) {
          const callback = fn === undefined ? this.#resolve(element, scope) : { fn, cls: scope.cls, isClosure: true };
          if (callback?.fn.body === undefined) {
            this.walk(element, scope);
          } else {
            const ctxNames = callback.isClosure ? [...scope.ctxNames] : [];
            checkStepBody(callback.fn.body, callback.cls, ctxNames, inlineStep(call, operation), this.report);
          }
        } else if (branchContext !== undefined) {
          // A branch gets a context of its own, as its parameter at `branchContext`.
          const branch = fn === undefined ? this.#resolve(element, scope) : undefined;
          const parameter = (fn ?? branch?.fn)?.parameters[branchContext]?.name;
          const names = parameter !== undefined && ts.isIdentifier(parameter) ? [parameter.text] : [];
          if (fn !== undefined) {
            this.walk(fn.body, { ...scope, ctxNames: new Set([...scope.ctxNames, ...names]), isTopLevel: false });
          } else if (branch !== undefined) {
            this.#enter(branch, scope, undefined, names);
          } else {
            this.walk(element, scope);
          }
        } else {
          this.walk(element, scope);
        }
      }
    }
  }

  /**
   * The project function an expression names: `helper`, `helpers.helper`
   * (resolved through imports), `this.method` (a non-step member of the class).
   */
  #resolve(expression: ts.Expression, scope: Scope): Target | undefined {
    if (ts.isIdentifier(expression)) {
      const local = localFunction(expression);
      if (local !== undefined) {
        const cls = local.isNested ? scope.cls : undefined;
        return { fn: local.fn, name: expression.text, cls, isClosure: local.isNested };
      }
      const fn = this.modules.resolveName(expression.getSourceFile(), expression.text);
      return fn === undefined ? undefined : { fn, name: expression.text, cls: undefined, isClosure: false };
    }
    if (!ts.isPropertyAccessExpression(expression)) return undefined;
    const receiver = expression.expression;
    const name = expression.name.text;
    if (receiver.kind === ts.SyntaxKind.ThisKeyword) {
      const fn = scope.cls?.steps.has(name) ? undefined : scope.cls?.members.get(name);
      return fn === undefined ? undefined : { fn, name, cls: scope.cls, isClosure: false };
    }
    if (!ts.isIdentifier(receiver)) return undefined;
    const fn = this.modules.resolveMember(expression.getSourceFile(), receiver.text, name);
    return fn === undefined ? undefined : { fn, name, cls: undefined, isClosure: false };
  }

  /**
   * Enters a function, once per set of ctx names (the recursion guard, too).
   * A name is a DurableContext when a parameter is typed so, when the caller
   * passes its context in that place (`args`), when the caller says so
   * (`extraCtxNames`, a branch), or when a closure sees the caller's.
   */
  #enter(target: Target, scope: Scope, args?: readonly ts.Expression[], extraCtxNames: readonly string[] = []): void {
    const { fn } = target;
    if (fn.body === undefined) return;
    const ctxNames = new Set([...contextParameters(fn), ...extraCtxNames, ...(target.isClosure ? scope.ctxNames : [])]);
    args?.forEach((argument, index) => {
      const parameter = fn.parameters[index]?.name;
      if (
        ts.isIdentifier(argument) &&
        scope.ctxNames.has(argument.text) &&
        parameter !== undefined &&
        ts.isIdentifier(parameter)
      ) {
        ctxNames.add(parameter.text);
      }
    });
    // A helper shared by services on both backends is checked for each: only one of them limits its waits.
    const key = `${scope.isLambdaDurable ? 'lambda-durable:' : ''}${[...ctxNames].sort().join(',')}`;
    let keys = this.#entered.get(fn);
    if (keys === undefined) {
      keys = new Set();
      this.#entered.set(fn, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.walk(fn.body, {
      ...scope,
      cls: target.cls,
      ctxNames,
      chain: [...scope.chain, target.name],
      isTopLevel: false,
    });
  }
}

/** A step body (a `@Step` method, a `ctx.step` callback) must not call ctx operations or other steps. */
function checkStepBody(
  body: ts.Node,
  cls: ServiceClass | undefined,
  ctxNames: readonly string[],
  where: string,
  report: Report,
): void {
  const names = new Set(ctxNames);
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const receiver = node.expression.expression;
      const member = node.expression.name.text;
      if (receiver.kind === ts.SyntaxKind.ThisKeyword && cls?.steps.has(member)) {
        report(node, 'nested-step', `this.${member}()`, [], where);
      } else if (ts.isIdentifier(receiver) && names.has(receiver.text)) {
        report(node, 'ctx-in-step', `${receiver.text}.${member}()`, [], where);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
}

function serviceClass(declaration: ts.ClassDeclaration, service: ServiceModel): ServiceClass {
  const steps = new Set(service.steps.map((step) => step.method));
  const members = new Map<string, FunctionNode>();
  for (const member of declaration.members) {
    const name = memberName(member);
    if (name === undefined || steps.has(name)) continue;
    if (ts.isMethodDeclaration(member) && member.body !== undefined) members.set(name, member);
    else if (ts.isPropertyDeclaration(member)) {
      const fn = functionLiteral(member.initializer);
      if (fn !== undefined) members.set(name, fn);
    }
  }
  return { name: service.className, steps, members };
}

function memberName(member: ts.ClassElement): string | undefined {
  const name = member.name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
}

function isStatic(member: ts.PropertyDeclaration): boolean {
  return ts.getModifiers(member)?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) ?? false;
}

/** Parameters typed as DurableContext: the names a function calls durable operations on. */
function contextParameters(fn: ts.SignatureDeclaration): string[] {
  return fn.parameters.flatMap((parameter) =>
    ts.isIdentifier(parameter.name) &&
    parameter.type !== undefined &&
    DURABLE_CONTEXT_TYPE.test(parameter.type.getText())
      ? [parameter.name.text]
      : [],
  );
}

/** `in ctx.step('load')`, as a message names an inline step body. */
function inlineStep(call: ts.CallExpression, operation: string): string {
  const [name] = call.arguments;
  const label = name !== undefined && ts.isStringLiteralLike(name) ? `'${name.text}'` : '…';
  return operation === 'step'
    ? `in the body of ctx.step(${label})`
    : `in the submit function of ctx.waitForCallback(${label})`;
}
