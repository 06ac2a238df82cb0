import {
  BACKENDS,
  type Backend,
  type DurableServiceOptions,
  kebabCase,
  lifetimesOf,
  RETRY_OPTION_NAMES,
  type RetryPolicy,
  serviceOptionProblems,
  stepOptionProblems,
  workflowOptionProblems,
} from '@durable/core';
import type { ClassDeclaration, Decorator, MethodDeclaration } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { ServiceModel, StepModel, WorkflowModel } from '../model.js';
import { extractSchema } from '../schema/extract-schema.js';
import { type CoreImports, findDecorator } from './core-imports.js';
import { decoratorOptions, reportOptionProblems, stringOption } from './decorator-options.js';
import { checkLambdaDurableOptions } from './lambda-durable-options.js';
import type { LiteralValue } from './literals.js';
import { locate, report } from './locate.js';
import { walkWorkflow } from './walk-workflow.js';

/**
 * Reads one `@DurableService` class: its options, its workflows and steps and
 * what each workflow reaches. Every option goes through core's own checks
 * (the functions its decorators apply when the class loads), so `check`
 * refuses exactly what loading the class would, and more: a typo in a key.
 * Undefined (with a diagnostic) for a class without a name.
 */
export function readService(
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
  const problems = serviceOptionProblems(className, options);
  reportOptionProblems(problems, decorator, what, root, diagnostics);
  const service: ServiceModel = {
    className,
    name: stringOption(options, 'name') ?? kebabCase(className),
    source: location.file,
    location,
    workflows: [],
    steps: [],
    invokes: [],
  };
  for (const key of ['account', 'region', 'functionName', 'table'] as const) {
    const value = stringOption(options, key);
    if (value !== undefined) service[key] = value;
  }
  if (BACKENDS.includes(options.backend as Backend)) service.backend = options.backend as Backend;
  if (!problems.some((problem) => problem.option === 'executionTimeout' || problem.option === 'retention')) {
    // Core's own reading (its defaults included), now that it is known not to throw.
    service.lifetimes = lifetimesOf(className, options as DurableServiceOptions);
  }
  checkLambdaDurableOptions(service, decorator, root, diagnostics);

  const methods = new Map(cls.getMethods().map((m) => [m.getName(), m]));
  const stepByMethod = new Map<string, StepModel>();
  const workflowMethods: [WorkflowModel, MethodDeclaration][] = [];
  for (const method of cls.getMethods()) {
    const decorators = method.getDecorators();
    const workflowDecorator = findDecorator(decorators, 'Workflow', imports);
    const stepDecorator = findDecorator(decorators, 'Step', imports);
    const methodWhat = `${className}.${method.getName()}`;
    if (workflowDecorator !== undefined) {
      const workflow = readWorkflow(method, workflowDecorator, `@Workflow on ${methodWhat}`, root, diagnostics);
      service.workflows.push(workflow);
      workflowMethods.push([workflow, method]);
    }
    if (stepDecorator !== undefined) {
      const step = readStep(method, stepDecorator, `@Step on ${methodWhat}`, root, diagnostics);
      service.steps.push(step);
      stepByMethod.set(method.getName(), step);
    }
  }
  readInheritedSteps(cls, methods, stepByMethod, service, imports, root, diagnostics);
  for (const [workflow, method] of workflowMethods) {
    walkWorkflow(method, methods, stepByMethod, workflow, service, root);
    workflow.operations = extractSchema(method, { steps: stepByMethod, methods });
  }
  return service;
}

/**
 * The methods and `@Step` methods of the class's bases that the project declares, nearest base first: the
 * engine runs `this.audit()` of a base's `@Step` as a step of this service. A method the class (or a nearer
 * base) declares again hides the base's.
 */
function readInheritedSteps(
  cls: ClassDeclaration,
  methods: Map<string, MethodDeclaration>,
  stepByMethod: Map<string, StepModel>,
  service: ServiceModel,
  imports: CoreImports,
  root: string,
  diagnostics: Diagnostic[],
): void {
  const seen = new Set<ClassDeclaration>([cls]);
  for (let base = cls.getBaseClass(); base !== undefined && !seen.has(base); base = base.getBaseClass()) {
    seen.add(base);
    for (const method of base.getMethods()) {
      const name = method.getName();
      if (methods.has(name)) continue;
      methods.set(name, method);
      const stepDecorator = findDecorator(method.getDecorators(), 'Step', imports);
      if (stepDecorator === undefined) continue;
      const step = readStep(
        method,
        stepDecorator,
        `@Step on ${base.getName() ?? 'a base class'}.${name}`,
        root,
        diagnostics,
      );
      service.steps.push(step);
      stepByMethod.set(name, step);
    }
  }
}

function readWorkflow(
  method: MethodDeclaration,
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): WorkflowModel {
  const options = decoratorOptions(decorator, what, root, diagnostics) ?? {};
  reportOptionProblems(workflowOptionProblems(options), decorator, what, root, diagnostics);
  return {
    name: stringOption(options, 'name') ?? method.getName(),
    method: method.getName(),
    location: locate(method.getNameNode(), root),
    steps: [],
    operations: [],
  };
}

function readStep(
  method: MethodDeclaration,
  decorator: Decorator,
  what: string,
  root: string,
  diagnostics: Diagnostic[],
): StepModel {
  const options = decoratorOptions(decorator, what, root, diagnostics) ?? {};
  const problems = stepOptionProblems(options);
  reportOptionProblems(problems, decorator, what, root, diagnostics);
  // The model keeps only what core accepts; a refused option is reported above and left at its default.
  const isAccepted = (option: string) => !problems.some((problem) => problem.option === option);
  const step: StepModel = {
    name: stringOption(options, 'name') ?? method.getName(),
    method: method.getName(),
    location: locate(method.getNameNode(), root),
    semantics: options.semantics === 'at-most-once' ? 'at-most-once' : 'at-least-once',
  };
  if (typeof options.timeoutMs === 'number' && isAccepted('timeoutMs')) step.timeoutMs = options.timeoutMs;
  const retry = options.retry;
  if (typeof retry === 'object' && retry !== null && !Array.isArray(retry)) {
    const policy: { [key: string]: LiteralValue } = {};
    for (const key of RETRY_OPTION_NAMES) {
      if (retry[key] !== undefined && isAccepted(`retry.${key}`)) policy[key] = retry[key];
    }
    step.retry = policy as RetryPolicy;
  }
  return step;
}
