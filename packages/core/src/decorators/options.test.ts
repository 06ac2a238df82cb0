import { describe, expect, it } from 'vitest';
import {
  DefinitionError,
  type DurableContext,
  DurableService,
  type DurableServiceOptions,
  kebabCase,
  Step,
  type StepOptions,
  serviceOptionProblems,
  stepOptionProblems,
  Workflow,
  type WorkflowOptions,
  workflowOptionProblems,
} from '../index.js';

/**
 * The option rules as the decorators apply them when a class loads. The same
 * functions give durable-gen its verdict (see the scanner's tests), so a typo
 * or a value core refuses fails both, the same way.
 */

/** Decorates a fresh class with the given options (cast: the point is options TypeScript would refuse). */
function decorate(options: { service?: object; workflow?: object; step?: object }): () => void {
  return () => {
    @DurableService(options.service as DurableServiceOptions)
    class Orders {
      @Workflow(options.workflow as WorkflowOptions)
      async place(_ctx: DurableContext) {}
      @Step(options.step as StepOptions)
      async charge() {}
    }
    return Orders;
  };
}

describe('decorator options, at decoration time', () => {
  it.each([
    ['a typo in retry', { step: { retry: { maxAtempts: 5 } } }, "unknown option 'maxAtempts' in retry"],
    ['a typo in @Step', { step: { semantic: 'at-most-once' } }, "unknown option 'semantic' (known: name, retry"],
    ['a retry that is not an object', { step: { retry: 5 } }, 'retry must be an object'],
    ['a typo in @Workflow', { workflow: { nmae: 'go' } }, "@Workflow on Orders.place: unknown option 'nmae'"],
    ['an empty workflow name', { workflow: { name: '' } }, 'name must be a non-empty string'],
    ['a typo in @DurableService', { service: { acount: '111111111111' } }, "unknown option 'acount'"],
    ['a short account', { service: { account: '1111' } }, 'account must be a 12-digit AWS account id'],
    ['an unknown backend', { service: { backend: 'sqs' } }, "backend must be 'dynamodb' or 'lambda-durable'"],
    ['an empty table', { service: { table: '' } }, 'table must be a non-empty string'],
    ['a misspelt region', { service: { region: 'eu-west1' } }, "region must be an AWS region such as 'eu-west-1'"],
    ['a duration unit core does not know', { service: { retention: { weeks: 1 } } }, "unknown duration unit 'weeks'"],
  ])('refuses %s', (_what, options, message) => {
    expect(decorate(options)).toThrow(DefinitionError);
    expect(decorate(options)).toThrow(message);
  });

  it('names every problem of one decorator at once', () => {
    expect(decorate({ step: { timeoutMs: -1, retry: { maxAttempts: 0, jitter: 'some' } } })).toThrow(
      "timeoutMs must be > 0; retry.maxAttempts must be an integer >= 1; retry.jitter must be 'none', 'full' or 'equal'.",
    );
  });

  it('accepts every option with a valid value', () => {
    expect(
      decorate({
        service: {
          name: 'orders',
          account: '111111111111',
          region: 'eu-west-1',
          functionName: 'orders-prod',
          backend: 'dynamodb',
          table: 'orders-table',
          executionTimeout: { days: 366 },
          retention: { hours: 1 },
        },
        workflow: { name: 'place-order' },
        step: {
          name: 'charge',
          semantics: 'at-most-once',
          timeoutMs: 1,
          retry: { maxAttempts: 1, initialDelayMs: 0, backoffRate: 1, maxDelayMs: 0, jitter: 'none' },
        },
      }),
    ).not.toThrow();
  });
});

describe('the problem lists durable-gen reports', () => {
  it('say which option is at fault, as a dotted path, with a code', () => {
    expect(stepOptionProblems({ retry: { maxAtempts: 5, backoffRate: 0.5 } })).toEqual([
      { code: 'unknown-option', option: 'retry.maxAtempts', message: expect.stringContaining("'maxAtempts'") },
      { code: 'invalid-option', option: 'retry.backoffRate', message: 'retry.backoffRate must be >= 1' },
    ]);
    expect(workflowOptionProblems({ name: 7 })).toEqual([
      { code: 'invalid-option', option: 'name', message: 'name must be a non-empty string' },
    ]);
    expect(serviceOptionProblems('Orders_V2', {})).toEqual([
      { code: 'invalid-service-name', option: 'name', message: expect.stringContaining("name 'orders_v2'") },
    ]);
  });

  it('find nothing wrong with no options', () => {
    expect(stepOptionProblems({})).toEqual([]);
    expect(workflowOptionProblems({})).toEqual([]);
    expect(serviceOptionProblems('OrderService', {})).toEqual([]);
  });

  it('default a service name to the class name in kebab-case', () => {
    expect(kebabCase('OrderHTTPService')).toBe('order-http-service');
    expect(kebabCase('Orders')).toBe('orders');
  });
});
