import type { Decorator } from 'ts-morph';
import type { Diagnostic, Severity } from '../diagnostics.js';
import { durableConfigOf } from '../lambda-durable/durable-config.js';
import type { ServiceModel } from '../model.js';
import { reportOptionProblems } from './decorator-options.js';

/** A `@DurableService` option that core accepts, but that its service's backend cannot honour. */
export interface BackendOptionProblem {
  /**
   * `unsupported-lifetime`: a lifetime Lambda's `DurableConfig` cannot hold; `option-not-on-backend`: an option
   * the backend has no use for.
   */
  code: 'unsupported-lifetime' | 'option-not-on-backend';
  option: string;
  message: string;
  /** `warning` for an option that is only unused: core accepts it, and nothing runs differently. */
  severity: Severity;
}

/**
 * The options of a service on backend `lambda-durable` that the service cannot express, each reported at its
 * value: lifetimes that do not fit its `DurableConfig` (whole seconds of timeout, 1 to 90 whole days of
 * retention) as errors, and a `table`, which it would never use (the service keeps the journal), as a warning.
 * Nothing for other backends.
 */
export function checkLambdaDurableOptions(
  service: ServiceModel,
  decorator: Decorator,
  root: string,
  diagnostics: Diagnostic[],
): void {
  if (service.backend !== 'lambda-durable') return;
  const problems: BackendOptionProblem[] = [];
  if (service.table !== undefined) {
    problems.push({
      code: 'option-not-on-backend',
      option: 'table',
      severity: 'warning',
      message:
        "table names a DynamoDB checkpoint table, but on backend 'lambda-durable' the service keeps the journal: " +
        'no table is used (nor allowed by its IAM policy). Remove the option',
    });
  }
  if (service.lifetimes !== undefined) {
    const durable = durableConfigOf(service.lifetimes);
    // Deploy could not create the function with them: refused, like an invalid option.
    if ('problems' in durable) problems.push(...durable.problems.map((p) => ({ ...p, severity: 'error' as const })));
  }
  reportOptionProblems(problems, decorator, `@DurableService on ${service.className}`, root, diagnostics);
}
