import path from 'node:path';
import {
  type Duration,
  lifetimesOf,
  RETRY_OPTION_NAMES,
  SERVICE_OPTION_NAMES,
  STEP_OPTION_NAMES,
  targetArnProblem,
  WORKFLOW_OPTION_NAMES,
} from '@durable/core';
import {
  type CallExpression,
  type ClassDeclaration,
  type Decorator,
  type MethodDeclaration,
  Node,
  Project,
  type SourceFile,
  SyntaxKind,
} from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { AppModel, InvokeModel, ServiceModel, SourceLocation, StepModel, WorkflowModel } from '../model.js';
import { type LiteralValue, readLiteral } from './literals.js';

/** What to scan. */
export interface ScanOptions {
  /** The app's root: paths in the model and in diagnostics are relative to it. */
  root: string;
  /** Files or globs (relative to `root`), e.g. `src/**\/*.ts`. Declaration files and `generated/` are skipped. */
  paths: readonly string[];
  /** Account the services deploy to when their decorator names none. */
  account?: string;
}

export interface ScanResult {
  model: AppModel;
  diagnostics: Diagnostic[];
  /** The ts-morph project, for the lint rules that walk the same files. */
  project: Project;
}

const CORE = '@durable/core';
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const CLIENT_MODULE = /(?:^|\/)generated\/clients\/([a-z][a-z0-9-]*)(?:\.[cm]?[jt]s)?$/;

/** The local names under which a file imports the decorators from @durable/core. */
interface CoreImports {
  named: Map<string, 'DurableService' | 'Workflow' | 'Step'>;
  namespaces: Set<string>;
}

/**
 * Finds every class decorated `@DurableService` from `@durable/core` in the
 * given files, syntactically (ts-morph, no type checker, no dependency
 * resolution): its workflows and steps with their literal options, the steps
 * each workflow reaches, and the services it invokes. Problems are reported as
 * diagnostics with `file:line:col`, never thrown.
 */
export function scan(options: ScanOptions): ScanResult {
  const root = path.resolve(options.root);
  const project = new Project({
    compilerOptions: { experimentalDecorators: true, allowJs: false, noEmit: true },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });
  const globs = options.paths.map((p) => (path.isAbsolute(p) ? p : path.join(root, p)));
  project.addSourceFilesAtPaths([
    ...globs,
    `!${path.join(root, '**/*.d.ts')}`,
    `!${path.join(root, '**/generated/**')}`,
    `!${path.join(root, '**/node_modules/**')}`,
  ]);
  const diagnostics: Diagnostic[] = [];
  const services: ServiceModel[] = [];
  const files = project.getSourceFiles().sort((a, b) => a.getFilePath().localeCompare(b.getFilePath()));
  for (const file of files) {
    const imports = coreImports(file);
    if (imports.named.size === 0 && imports.namespaces.size === 0) continue;
    for (const cls of file.getClasses()) {
      const decorator = findDecorator(cls.getDecorators(), 'DurableService', imports);
      if (decorator === undefined) continue;
      const service = readService(cls, decorator, imports, root, diagnostics);
      if (service !== undefined) services.push(service);
    }
  }
  checkServices(services, options.account, diagnostics);
  return { model: { root, services }, diagnostics, project };
}

function coreImports(file: SourceFile): CoreImports {
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
function findDecorator(
  decorators: Decorator[],
  kind: 'DurableService' | 'Workflow' | 'Step',
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

function locate(node: Node, root: string): SourceLocation {
  const file = node.getSourceFile();
  const { line, column } = file.getLineAndColumnAtPos(node.getStart());
  return { file: path.relative(root, file.getFilePath()).split(path.sep).join('/'), line, column };
}

function report(diagnostics: Diagnostic[], at: SourceLocation, code: string, message: string): void {
  diagnostics.push({ ...at, code, severity: 'error', message });
}

/**
 * The decorator's literal options object ({} when called without arguments);
 * undefined (with a diagnostic) when it is not a call or not literal.
 */
function decoratorOptions(
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): { [key: string]: LiteralValue } | undefined {
  const call = decorator.getCallExpression();
  if (call === undefined) {
    report(
      diagnostics,
      locate(decorator, root),
      'decorator-not-called',
      `${what} is a decorator factory: write ${decorator.getText()}() with parentheses.`,
    );
    return undefined;
  }
  const [argument] = call.getArguments();
  if (argument === undefined) return {};
  const read = readLiteral(argument);
  if (!read.ok) {
    report(
      diagnostics,
      locate(read.node, root),
      'non-literal-options',
      `${what} options must be literals that durable-gen can read without running code; ` +
        `replace \`${read.node.getText().slice(0, 60)}\` with its value.`,
    );
    return undefined;
  }
  if (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value)) {
    report(diagnostics, locate(argument, root), 'non-literal-options', `${what} takes an options object literal.`);
    return undefined;
  }
  return read.value;
}

/** Each decorator's options, as core defines them (one home: a new option needs no change here). */
const KNOWN_OPTIONS: Record<string, readonly string[]> = {
  DurableService: SERVICE_OPTION_NAMES,
  Workflow: WORKFLOW_OPTION_NAMES,
  Step: STEP_OPTION_NAMES,
  retry: RETRY_OPTION_NAMES,
};

/** Reports option keys the decorator does not know (a typo would otherwise be silently ignored). */
function checkKnownKeys(
  options: { [key: string]: LiteralValue },
  kind: keyof typeof KNOWN_OPTIONS,
  what: string,
  at: SourceLocation,
  diagnostics: Diagnostic[],
): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS[kind]!.includes(key)) {
      report(
        diagnostics,
        at,
        'unknown-option',
        `${what}: unknown option '${key}' (known: ${KNOWN_OPTIONS[kind]!.join(', ')}).`,
      );
    }
  }
}

function stringOption(
  options: { [key: string]: LiteralValue },
  key: string,
  node: Node,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    report(diagnostics, locate(node, root), 'invalid-option', `${what} option '${key}' must be a non-empty string.`);
    return undefined;
  }
  return value;
}

function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function readService(
  cls: ClassDeclaration,
  decorator: Decorator,
  imports: CoreImports,
  root: string,
  diagnostics: Diagnostic[],
): ServiceModel | undefined {
  const className = cls.getName();
  const location = locate(cls.getNameNode() ?? cls, root);
  if (className === undefined) {
    report(
      diagnostics,
      location,
      'anonymous-service',
      '@DurableService needs a named class (its name appears in generated code).',
    );
    return undefined;
  }
  const what = `@DurableService on ${className}`;
  const options = decoratorOptions(decorator, what, root, diagnostics);
  if (options === undefined) return undefined;
  checkKnownKeys(options, 'DurableService', what, locate(decorator, root), diagnostics);
  const name = stringOption(options, 'name', decorator, what, root, diagnostics) ?? kebabCase(className);
  if (!SERVICE_NAME.test(name)) {
    report(
      diagnostics,
      locate(decorator, root),
      'invalid-service-name',
      `Service name '${name}' must be lowercase letters, digits and '-', start with a letter, at most 63 characters.`,
    );
  }
  const backend = options.backend;
  if (backend !== undefined && backend !== 'dynamodb' && backend !== 'lambda-durable') {
    report(
      diagnostics,
      locate(decorator, root),
      'invalid-option',
      `${what}: backend must be 'dynamodb' or 'lambda-durable'.`,
    );
  }
  const account = stringOption(options, 'account', decorator, what, root, diagnostics);
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    report(
      diagnostics,
      locate(decorator, root),
      'invalid-option',
      `${what}: account must be a 12-digit AWS account id.`,
    );
  }
  try {
    // Core's own check of the lifetimes: the same verdict as at decoration time.
    lifetimesOf(className, {
      ...(options.executionTimeout === undefined ? {} : { executionTimeout: options.executionTimeout as Duration }),
      ...(options.retention === undefined ? {} : { retention: options.retention as Duration }),
    });
  } catch (error) {
    report(diagnostics, locate(decorator, root), 'invalid-option', (error as Error).message);
  }
  const service: ServiceModel = {
    className,
    name,
    source: location.file,
    location,
    workflows: [],
    steps: [],
    invokes: [],
  };
  for (const key of ['region', 'functionName', 'table'] as const) {
    const value = stringOption(options, key, decorator, what, root, diagnostics);
    if (value !== undefined) service[key] = value;
  }
  if (account !== undefined) service.account = account;
  if (backend === 'dynamodb' || backend === 'lambda-durable') service.backend = backend;

  const methods = new Map(cls.getMethods().map((m) => [m.getName(), m]));
  const stepByMethod = new Map<string, StepModel>();
  const workflowMethods: [WorkflowModel, MethodDeclaration][] = [];
  for (const method of cls.getMethods()) {
    const decorators = method.getDecorators();
    const workflowDecorator = findDecorator(decorators, 'Workflow', imports);
    const stepDecorator = findDecorator(decorators, 'Step', imports);
    const methodWhat = `${className}.${method.getName()}`;
    if (workflowDecorator !== undefined) {
      const workflowOptions =
        decoratorOptions(workflowDecorator, `@Workflow on ${methodWhat}`, root, diagnostics) ?? {};
      const workflow: WorkflowModel = {
        name:
          stringOption(workflowOptions, 'name', workflowDecorator, `@Workflow on ${methodWhat}`, root, diagnostics) ??
          method.getName(),
        method: method.getName(),
        location: locate(method.getNameNode(), root),
        steps: [],
      };
      service.workflows.push(workflow);
      workflowMethods.push([workflow, method]);
    }
    if (stepDecorator !== undefined) {
      const step = readStep(method, stepDecorator, methodWhat, root, diagnostics);
      service.steps.push(step);
      stepByMethod.set(method.getName(), step);
    }
  }
  for (const [workflow, method] of workflowMethods) {
    walkWorkflow(method, methods, stepByMethod, workflow, service, root);
  }
  return service;
}

function readStep(
  method: MethodDeclaration,
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): StepModel {
  const options = decoratorOptions(decorator, `@Step on ${what}`, root, diagnostics) ?? {};
  const at = locate(decorator, root);
  checkKnownKeys(options, 'Step', `@Step on ${what}`, at, diagnostics);
  const step: StepModel = {
    name: stringOption(options, 'name', decorator, `@Step on ${what}`, root, diagnostics) ?? method.getName(),
    method: method.getName(),
    location: locate(method.getNameNode(), root),
    semantics: options.semantics === 'at-most-once' ? 'at-most-once' : 'at-least-once',
  };
  if (
    options.semantics !== undefined &&
    options.semantics !== 'at-most-once' &&
    options.semantics !== 'at-least-once'
  ) {
    report(
      diagnostics,
      locate(decorator, root),
      'invalid-option',
      `@Step on ${what}: semantics must be 'at-least-once' or 'at-most-once'.`,
    );
  }
  if (typeof options.timeoutMs === 'number') step.timeoutMs = options.timeoutMs;
  const retry = options.retry;
  if (retry !== undefined && typeof retry === 'object' && retry !== null && !Array.isArray(retry)) {
    step.retry = {};
    for (const key of ['maxAttempts', 'initialDelayMs', 'backoffRate', 'maxDelayMs'] as const) {
      if (typeof retry[key] === 'number') step.retry[key] = retry[key];
    }
    if (retry.jitter === 'none' || retry.jitter === 'full' || retry.jitter === 'equal')
      step.retry.jitter = retry.jitter;
  }
  return step;
}

/**
 * Walks a workflow body in source order, into the non-step methods of its
 * class it calls (once each): the steps it reaches and the services it
 * invokes (through generated clients, or `ctx.invoke` with literal targets).
 */
function walkWorkflow(
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
function clientModuleService(identifier: Node): string | undefined {
  const name = identifier.getText();
  for (const declaration of identifier.getSourceFile().getImportDeclarations()) {
    const match = CLIENT_MODULE.exec(declaration.getModuleSpecifierValue());
    if (match === null) continue;
    if (declaration.getNamedImports().some((n) => (n.getAliasNode()?.getText() ?? n.getName()) === name))
      return match[1];
  }
  return undefined;
}

/** Checks across services: unique names, known invoke targets in the same account, valid ARNs. */
function checkServices(services: ServiceModel[], defaultAccount: string | undefined, diagnostics: Diagnostic[]): void {
  const byName = new Map<string, ServiceModel>();
  for (const service of services) {
    const other = byName.get(service.name);
    if (other !== undefined) {
      report(
        diagnostics,
        service.location,
        'duplicate-service',
        `Service name '${service.name}' is used by ${other.className} (${other.source}:${other.location.line}) and ${service.className}: each service needs its own name.`,
      );
    } else {
      byName.set(service.name, service);
    }
    for (const [what, entries] of [
      ['workflow', service.workflows],
      ['step', service.steps],
    ] as const) {
      const seen = new Map<string, string>();
      for (const entry of entries) {
        const first = seen.get(entry.name);
        if (first !== undefined) {
          report(
            diagnostics,
            entry.location,
            `duplicate-${what}`,
            `${service.className}: ${what} name '${entry.name}' is used by both ${first}() and ${entry.method}(); give each ${what} its own stable name.`,
          );
        } else {
          seen.set(entry.name, entry.method);
        }
      }
    }
    const account = service.account ?? defaultAccount;
    if (service.functionName?.startsWith('arn:')) {
      const problem = targetArnProblem(service.functionName, account);
      if (problem !== undefined) {
        report(diagnostics, service.location, problem.kind, `${service.className} functionName: ${problem.message}.`);
      }
    }
  }
  for (const service of services) {
    for (const invoke of service.invokes) {
      const target = byName.get(invoke.service);
      if (target === undefined) {
        report(
          diagnostics,
          invoke.location,
          'unknown-invoke-target',
          `${service.className} invokes service '${invoke.service}', which no scanned @DurableService is named. Scanned: ${[...byName.keys()].join(', ') || '(none)'}.`,
        );
        continue;
      }
      if (!target.workflows.some((w) => w.name === invoke.workflow)) {
        report(
          diagnostics,
          invoke.location,
          'unknown-invoke-target',
          `${service.className} invokes '${invoke.service}.${invoke.workflow}', but ${target.className} has no workflow '${invoke.workflow}' (it has: ${target.workflows.map((w) => w.name).join(', ') || 'none'}).`,
        );
      }
      const callerAccount = service.account ?? defaultAccount;
      const targetAccount = target.account ?? defaultAccount;
      if (callerAccount !== undefined && targetAccount !== undefined && callerAccount !== targetAccount) {
        report(
          diagnostics,
          invoke.location,
          'cross-account-invoke',
          `${service.className} (account ${callerAccount}) invokes '${target.name}' in account ${targetAccount}: durable invokes stay in one account. Deploy both in one account, or call the other account through an API.`,
        );
      }
    }
  }
}
