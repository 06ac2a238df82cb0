import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type DurableContext,
  DurableService,
  type DurableServiceOptions,
  Step,
  type StepOptions,
  Workflow,
  type WorkflowOptions,
} from '@durable/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics.js';
import { type ScanResult, scan } from './scan.js';

/**
 * Decorator options at `check`: every key list and every value rule of core
 * reaches the scan as a diagnostic at the option at fault, and the scan's
 * verdict is the verdict of loading the class.
 */

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** Scans one file, `src/orders.ts`, holding `lines` (line N of a diagnostic is element N - 1). */
function scanOrders(lines: string[]): ScanResult {
  const root = mkdtempSync(path.join(tmpdir(), 'durable-options-'));
  tempRoots.push(root);
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/orders.ts'), `${lines.join('\n')}\n`);
  return scan({ root, paths: ['src'] });
}

/** Service `orders`: its decorator on line 2, its workflow's on line 4, its step's on line 8. */
function orders(decorators: { service?: string; workflow?: string; step?: string }): string[] {
  return [
    "import { DurableService, Step, Workflow, type DurableContext } from '@durable/core';",
    `@DurableService(${decorators.service ?? "{ name: 'orders' }"})`,
    'export class Orders {',
    `  @Workflow(${decorators.workflow ?? ''})`,
    '  async place(ctx: DurableContext, input: { id: string }) {',
    '    return this.charge(input.id);',
    '  }',
    `  @Step(${decorators.step ?? ''})`,
    '  async charge(id: string) {',
    '    return id;',
    '  }',
    '}',
  ];
}

/** The one diagnostic of the scan, which must be an error. */
function onlyDiagnostic(result: ScanResult): Diagnostic {
  expect(result.diagnostics).toHaveLength(1);
  expect(result.diagnostics[0]!.severity).toBe('error');
  return result.diagnostics[0]!;
}

describe('check: a typo in an option key', () => {
  it('in retry is reported at the key, with the keys retry takes', () => {
    const diagnostic = onlyDiagnostic(scanOrders(orders({ step: '{ retry: { maxAtempts: 5 } }' })));
    expect(diagnostic).toMatchObject({ file: 'src/orders.ts', line: 8, column: 20, code: 'unknown-option' });
    expect(diagnostic.message).toBe(
      "@Step on Orders.charge: unknown option 'maxAtempts' in retry " +
        '(known: maxAttempts, initialDelayMs, backoffRate, maxDelayMs, jitter).',
    );
  });

  it('in @Workflow is reported at the key', () => {
    const diagnostic = onlyDiagnostic(scanOrders(orders({ workflow: "{ nmae: 'place-order' }" })));
    expect(diagnostic).toMatchObject({ line: 4, column: 15, code: 'unknown-option' });
    expect(diagnostic.message).toBe("@Workflow on Orders.place: unknown option 'nmae' (known: name).");
  });

  it('in @Step and @DurableService is reported at the key', () => {
    const step = onlyDiagnostic(scanOrders(orders({ step: "{ semantic: 'at-most-once' }" })));
    expect(step).toMatchObject({ line: 8, column: 11, code: 'unknown-option' });
    expect(step.message).toContain("unknown option 'semantic' (known: name, retry, semantics, timeoutMs)");
    const service = onlyDiagnostic(scanOrders(orders({ service: "{ name: 'orders', acount: '111111111111' }" })));
    expect(service).toMatchObject({ line: 2, column: 35, code: 'unknown-option' });
    expect(service.message).toContain("@DurableService on Orders: unknown option 'acount'");
  });

  it('written in quotes, or behind `as const`, is found the same way', () => {
    const diagnostic = onlyDiagnostic(scanOrders(orders({ step: "{ 'retry': { 'maxAtempts': 5 } } as const" })));
    expect(diagnostic).toMatchObject({ line: 8, column: 22, code: 'unknown-option' });
  });
});

describe('check: a value core refuses when the class loads', () => {
  it.each([
    [
      'retry.maxAttempts 0',
      { step: '{ retry: { maxAttempts: 0 } }' },
      [8, 33],
      'retry.maxAttempts must be an integer >= 1',
    ],
    [
      'a fractional maxAttempts',
      { step: '{ retry: { maxAttempts: 1.5 } }' },
      [8, 33],
      'maxAttempts must be an integer',
    ],
    ['a negative timeoutMs', { step: '{ timeoutMs: -1 }' }, [8, 22], 'timeoutMs must be > 0'],
    [
      'a bad jitter',
      { step: "{ retry: { jitter: 'some' } }" },
      [8, 28],
      "retry.jitter must be 'none', 'full' or 'equal'",
    ],
    ['a backoffRate under 1', { step: '{ retry: { backoffRate: 0.5 } }' }, [8, 33], 'retry.backoffRate must be >= 1'],
    [
      'a negative initialDelayMs',
      { step: '{ retry: { initialDelayMs: -5 } }' },
      [8, 36],
      'initialDelayMs must be >= 0',
    ],
    ['a bad semantics', { step: "{ semantics: 'exactly-once' }" }, [8, 22], "semantics must be 'at-least-once' or"],
    ['a retry that is no object', { step: '{ retry: 3 }' }, [8, 18], 'retry must be an object'],
    ['an empty step name', { step: "{ name: '' }" }, [8, 17], 'name must be a non-empty string'],
    ['an empty workflow name', { workflow: "{ name: '' }" }, [4, 21], 'name must be a non-empty string'],
    ['a short account', { service: "{ name: 'orders', account: '1111' }" }, [2, 44], '12-digit AWS account id'],
    ['an unknown backend', { service: "{ name: 'orders', backend: 'sqs' }" }, [2, 44], "backend must be 'dynamodb' or"],
    ['an empty region', { service: "{ name: 'orders', region: '' }" }, [2, 43], 'region must be an AWS region'],
    ['a misspelt region', { service: "{ name: 'orders', region: 'eu-west' }" }, [2, 43], "such as 'eu-west-1'"],
    ['a numeric table', { service: "{ name: 'orders', table: 7 }" }, [2, 42], 'table must be a non-empty string'],
    [
      'a duration unit core does not know',
      { service: "{ name: 'orders', retention: { weeks: 2 } }" },
      [2, 46],
      "unknown duration unit 'weeks'",
    ],
    [
      'a zero retention',
      { service: "{ name: 'orders', retention: { days: 0 } }" },
      [2, 46],
      'retention must be more than 0',
    ],
  ])('reports %s at the value, in core’s words', (_what, decorators, [line, column], says) => {
    const diagnostic = onlyDiagnostic(scanOrders(orders(decorators)));
    expect(diagnostic).toMatchObject({ file: 'src/orders.ts', line, column, code: 'invalid-option' });
    expect(diagnostic.message).toContain(says);
  });

  it('reports every problem of one decorator, each at its own option', () => {
    const result = scanOrders(orders({ step: "{ timeoutMs: 0, retry: { maxAttempts: 0, jitter: 'x' } }" }));
    expect(result.diagnostics.map((d) => [d.column, d.code])).toEqual([
      [22, 'invalid-option'],
      [47, 'invalid-option'],
      [58, 'invalid-option'],
    ]);
  });
});

/** Option sets, valid and not, given to core's decorators and to the scan alike. */
const VERDICT_CASES: { service?: object; workflow?: object; step?: object }[] = [
  {},
  { step: { retry: { maxAttempts: 5, initialDelayMs: 0, backoffRate: 1, maxDelayMs: 10, jitter: 'equal' } } },
  { step: { semantics: 'at-most-once', timeoutMs: 1, name: 'charge-card' } },
  { step: { retry: { maxAtempts: 5 } } },
  { step: { retry: { maxAttempts: 0 } } },
  { step: { retry: { maxAttempts: 2.5 } } },
  { step: { timeoutMs: 0 } },
  { step: { retry: { jitter: 'half' } } },
  { step: { semantics: 'exactly-once' } },
  { step: { retry: [] } },
  { step: { name: 3 } },
  { workflow: { name: 'place-order' } },
  { workflow: { nmae: 'place-order' } },
  { workflow: { name: '' } },
  { service: { account: '123456789012', region: 'eu-west-1', backend: 'lambda-durable', table: 't' } },
  { service: { account: 123456789012 } },
  { service: { backend: 'sqs' } },
  { service: { functionName: '' } },
  { service: { region: 'eu-west1' } },
  { service: { executionTimeout: { days: 367 } } },
  { service: { executionTimeout: { days: 366 }, retention: { ms: 1 } } },
  { service: { retention: { seconds: -1 } } },
  { service: { name: 'Orders' } },
];

describe('check gives the verdict of loading the class', () => {
  it.each(VERDICT_CASES.map((options) => [JSON.stringify(options), options] as const))('%s', (_label, options) => {
    const service = { name: 'orders', ...options.service };
    let refusal: string | undefined;
    try {
      @DurableService(service as DurableServiceOptions)
      class Orders {
        @Workflow(options.workflow as WorkflowOptions)
        async place(_ctx: DurableContext) {}
        @Step(options.step as StepOptions)
        async charge() {}
      }
      void Orders;
    } catch (error) {
      refusal = (error as Error).message;
    }
    const result = scanOrders(
      orders({
        service: JSON.stringify(service),
        workflow: JSON.stringify(options.workflow ?? {}),
        step: JSON.stringify(options.step ?? {}),
      }),
    );
    // The verdict is the errors: a warning (an option the backend leaves unused) refuses nothing.
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    expect(errors.length > 0, refusal ?? 'core accepts these options').toBe(refusal !== undefined);
    // Each problem the scan names is one core names too, in the same words.
    for (const diagnostic of errors) {
      expect(refusal).toContain(diagnostic.message.slice(diagnostic.message.indexOf(': ') + 2, -1));
    }
  });
});
