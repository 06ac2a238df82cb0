import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_EXECUTION_TIMEOUT_MS, DEFAULT_RETENTION_MS } from '@durable/core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics.js';
import type { SourceLocation } from '../model.js';
import { type ScanOptions, type ScanResult, scan } from './scan.js';

const FIXTURE = fileURLToPath(new URL('../__fixtures__/two-services/', import.meta.url));
const NOTIFIER = 'src/notifier-service.ts';
const DAY_MS = 86_400_000;
/** What a service whose decorator names no lifetimes lives: core's defaults. */
const DEFAULT_LIFETIMES = { executionTimeoutMs: DEFAULT_EXECUTION_TIMEOUT_MS, retentionMs: DEFAULT_RETENTION_MS };
const REVIEWS = 'src/review-service.ts';

/** Where `name` is inside the one occurrence of `snippet` in a fixture file (1-based, as the scanner reports). */
function fixtureLocation(file: string, snippet: string, name: string): SourceLocation {
  const text = readFileSync(path.join(FIXTURE, file), 'utf8');
  const index = text.indexOf(snippet);
  if (index < 0 || text.indexOf(snippet, index + 1) >= 0) throw new Error(`'${snippet}' is not once in ${file}`);
  const linesBefore = text.slice(0, index + snippet.indexOf(name)).split('\n');
  return { file, line: linesBefore.length, column: linesBefore.at(-1)!.length + 1 };
}

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/**
 * Writes a small app into a fresh temp dir (file → its lines, so line N of a
 * diagnostic is element N - 1) and scans it like `durable-gen` would.
 */
function scanApp(files: Record<string, string[]>, options: Partial<ScanOptions> = {}): ScanResult {
  const root = mkdtempSync(path.join(tmpdir(), 'durable-scan-'));
  tempRoots.push(root);
  for (const [file, lines] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${lines.join('\n')}\n`);
  }
  return scan({ root, paths: ['src/**/*.ts'], ...options });
}

/** Asserts the scan found exactly one problem, an error at `at`, whose message contains each of `says`. */
function expectOneError(
  result: ScanResult,
  at: Omit<Diagnostic, 'severity' | 'message'>,
  ...says: (string | RegExp)[]
): void {
  expect(result.diagnostics).toHaveLength(1);
  const [diagnostic] = result.diagnostics;
  expect(diagnostic).toMatchObject({ ...at, severity: 'error' });
  for (const part of says) {
    if (typeof part === 'string') expect(diagnostic!.message).toContain(part);
    else expect(diagnostic!.message).toMatch(part);
  }
}

const CORE_IMPORT = "import { DurableService, Step, Workflow, type DurableContext } from '@durable/core';";

/** A one-workflow, one-step service, `decorators` on its step (line 9), `extra` members after it. */
function ordersService(stepDecorator: string, extra: string[] = []): string[] {
  return [
    CORE_IMPORT,
    "import { defaults, makeRetry, NAME_KEY, RETRY, STEP_OPTIONS, VERSION } from './config.js';",
    "@DurableService({ name: 'orders' })",
    'export class Orders {',
    '  @Workflow()',
    '  async place(ctx: DurableContext, input: { id: string }) {',
    '    return this.charge(input.id);',
    '  }',
    `  ${stepDecorator}`,
    '  async charge(id: string) {',
    '    return id;',
    '  }',
    ...extra,
    '}',
  ];
}

/** Service `billing` (class BillingService) with one workflow, `charge`; `options` go into its decorator. */
function billingService(options = ''): string[] {
  return [
    CORE_IMPORT,
    `@DurableService({ name: 'billing'${options} })`,
    'export class BillingService {',
    '  @Workflow()',
    '  async charge(ctx: DurableContext, input: { order: string }) {',
    '    return input.order;',
    '  }',
    '}',
  ];
}

/** Service `orders` that calls `BillingServiceClient.<workflow>` (line 7, column 18); `options` go into its decorator. */
function ordersCallingBilling(workflow: string, options = ''): string[] {
  return [
    CORE_IMPORT,
    "import { BillingServiceClient } from '../generated/clients/billing.js';",
    `@DurableService({ name: 'orders'${options} })`,
    'export class Orders {',
    '  @Workflow()',
    '  async place(ctx: DurableContext, input: { id: string }) {',
    `    return await BillingServiceClient.${workflow}(ctx, { order: input.id });`,
    '  }',
    '}',
  ];
}

describe('scan of the two-services fixture', () => {
  const result = scan({ root: FIXTURE, paths: ['src/**/*.ts'] });

  it('finds both services, sorted by file, without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.model.root).toBe(path.resolve(FIXTURE));
    expect(result.model.services.map((s) => [s.source, s.className, s.name])).toEqual([
      [NOTIFIER, 'NotifierService', 'notifier'],
      [REVIEWS, 'ReviewService', 'reviews'],
    ]);
  });

  it('reads the notifier: its workflow, the steps it reaches, their retry options', () => {
    expect(result.model.services[0]).toStrictEqual({
      className: 'NotifierService',
      name: 'notifier',
      source: NOTIFIER,
      location: fixtureLocation(NOTIFIER, 'class NotifierService', 'NotifierService'),
      lifetimes: DEFAULT_LIFETIMES,
      workflows: [
        {
          name: 'notify',
          method: 'notify',
          location: fixtureLocation(NOTIFIER, 'async notify(', 'notify'),
          steps: ['pickChannel', 'send'],
          operations: [
            {
              kind: 'step',
              name: 'pickChannel',
              semantics: 'at-least-once',
              args: ['input.findings'],
              method: 'pickChannel',
              line: fixtureLocation(NOTIFIER, 'this.pickChannel(', 'this').line,
            },
            {
              kind: 'step',
              name: 'send',
              semantics: 'at-least-once',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: the template literal as the source writes it
              args: ['channel', '`PR #${input.pr}: ${input.findings} finding(s)`'],
              method: 'send',
              line: fixtureLocation(NOTIFIER, 'this.send(', 'this').line,
            },
          ],
        },
      ],
      steps: [
        {
          name: 'pickChannel',
          method: 'pickChannel',
          location: fixtureLocation(NOTIFIER, 'async pickChannel(', 'pickChannel'),
          semantics: 'at-least-once',
        },
        {
          name: 'send',
          method: 'send',
          location: fixtureLocation(NOTIFIER, 'async send(', 'send'),
          semantics: 'at-least-once',
          retry: { maxAttempts: 4, initialDelayMs: 100, backoffRate: 2, jitter: 'full' },
        },
      ],
      invokes: [],
    });
  });

  it('reads the reviews service: steps in call order (one through a helper), their options, its invoke', () => {
    expect(result.model.services[1]).toStrictEqual({
      className: 'ReviewService',
      name: 'reviews',
      source: REVIEWS,
      location: fixtureLocation(REVIEWS, 'class ReviewService', 'ReviewService'),
      lifetimes: DEFAULT_LIFETIMES,
      workflows: [
        {
          name: 'review',
          method: 'review',
          location: fixtureLocation(REVIEWS, 'async review(', 'review'),
          // ctx.sleep is not a step; addLabel is reached through the private helper labelBySize
          steps: ['comment', 'analyze', 'save-findings', 'createThread', 'addLabel'],
          // In call order, the helper's step where it is called in the helper.
          operations: [
            {
              kind: 'step',
              name: 'comment',
              semantics: 'at-least-once',
              args: ['pr', "'Reviewing…'"],
              method: 'comment',
              line: fixtureLocation(REVIEWS, 'this.comment(pr', 'this').line,
            },
            {
              kind: 'step',
              name: 'analyze',
              semantics: 'at-least-once',
              args: ['pr'],
              method: 'analyze',
              line: fixtureLocation(REVIEWS, 'this.analyze(pr', 'this').line,
            },
            {
              kind: 'step',
              name: 'save-findings',
              semantics: 'at-least-once',
              args: ['pr.id', 'findings'],
              method: 'saveFindings',
              line: fixtureLocation(REVIEWS, 'this.saveFindings(pr', 'this').line,
            },
            {
              kind: 'sleep',
              name: 'review-cooldown',
              duration: '{ seconds: 30 }',
              line: fixtureLocation(REVIEWS, 'ctx.sleep(', 'ctx').line,
            },
            {
              kind: 'step',
              name: 'createThread',
              semantics: 'at-most-once',
              args: ['pr', 'findings'],
              method: 'createThread',
              line: fixtureLocation(REVIEWS, 'this.createThread(pr', 'this').line,
            },
            {
              kind: 'step',
              name: 'addLabel',
              semantics: 'at-least-once',
              args: ['pr.id', 'label'],
              // The argument is a local constant: its initializer is part of what the step is given.
              uses: ["label = findings === 0 ? 'clean' : pr.files.length > 10 ? 'large' : 'needs-work'"],
              method: 'addLabel',
              line: fixtureLocation(REVIEWS, 'this.addLabel(pr', 'this').line,
            },
            {
              kind: 'invoke',
              target: 'notifier.notify',
              input: '{ pr: pr.id, findings: n }',
              uses: ['n = findings.length'],
              line: fixtureLocation(REVIEWS, 'NotifierServiceClient.notify(', 'NotifierServiceClient').line,
            },
          ],
        },
      ],
      steps: [
        {
          name: 'comment',
          method: 'comment',
          location: fixtureLocation(REVIEWS, 'async comment(', 'comment'),
          semantics: 'at-least-once',
        },
        {
          name: 'analyze',
          method: 'analyze',
          location: fixtureLocation(REVIEWS, 'async analyze(', 'analyze'),
          semantics: 'at-least-once',
          retry: { maxAttempts: 5, initialDelayMs: 200, backoffRate: 2, maxDelayMs: 5000, jitter: 'equal' },
        },
        {
          name: 'save-findings',
          method: 'saveFindings',
          location: fixtureLocation(REVIEWS, 'async saveFindings(', 'saveFindings'),
          semantics: 'at-least-once',
          timeoutMs: 10_000,
        },
        {
          name: 'createThread',
          method: 'createThread',
          location: fixtureLocation(REVIEWS, 'async createThread(', 'createThread'),
          semantics: 'at-most-once',
        },
        {
          name: 'addLabel',
          method: 'addLabel',
          location: fixtureLocation(REVIEWS, 'async addLabel(', 'addLabel'),
          semantics: 'at-least-once',
        },
      ],
      invokes: [
        {
          service: 'notifier',
          workflow: 'notify',
          fromMethod: 'review',
          location: fixtureLocation(REVIEWS, 'NotifierServiceClient.notify(', 'NotifierServiceClient'),
        },
      ],
    });
  });

  it('gives the same model when the default account matches (no account is named anywhere)', () => {
    const withAccount = scan({ root: FIXTURE, paths: ['src/**/*.ts'], account: '123456789012' });
    expect(withAccount.diagnostics).toEqual([]);
    expect(withAccount.model).toStrictEqual(result.model);
  });

  it('returns the ts-morph project holding the scanned files', () => {
    const files = result.project.getSourceFiles().map((f) => path.relative(FIXTURE, f.getFilePath()));
    expect(files.sort()).toEqual([NOTIFIER, REVIEWS]);
  });
});

describe('scan: decorator options must be literals', () => {
  it.each([
    ['a variable', '@Step(STEP_OPTIONS)', 9, 'STEP_OPTIONS'],
    ['a variable inside the object', '@Step({ retry: RETRY })', 18, 'RETRY'],
    ['a function call', '@Step({ retry: makeRetry(3) })', 18, 'makeRetry(3)'],
    ['a spread', "@Step({ ...defaults, name: 'charge' })", 11, '...defaults'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test holds a template literal
    ['a template with a substitution', '@Step({ name: `charge-${VERSION}` })', 17, '`charge-${VERSION}`'],
    ['a computed key', "@Step({ [NAME_KEY]: 'charge' })", 11, '[NAME_KEY]'],
    ['a shorthand property', '@Step({ defaults })', 11, 'defaults'],
  ])('refuses %s in @Step options, at the offending node', (_what, decorator, column, offending) => {
    const result = scanApp({ 'src/orders.ts': ordersService(decorator) });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 9, column, code: 'non-literal-options' },
      '@Step on Orders.charge options must be literals that durable-gen can read without running code',
      `replace \`${offending}\` with its value`,
    );
    // the step is still known, with default options, so the rest of the model stays useful
    expect(result.model.services[0]?.workflows[0]?.steps).toEqual(['charge']);
  });

  it('refuses a variable as @DurableService options, and leaves that service out of the model', () => {
    const result = scanApp({
      'src/billing.ts': billingService(),
      'src/orders.ts': [
        CORE_IMPORT,
        "const options = { name: 'orders' };",
        '@DurableService(options)',
        'export class Orders {}',
      ],
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 3, column: 17, code: 'non-literal-options' },
      '@DurableService on Orders options must be literals',
      'replace `options` with its value',
    );
    expect(result.model.services.map((s) => s.name)).toEqual(['billing']);
  });

  it('refuses a function call in @Workflow options', () => {
    const result = scanApp({
      'src/orders.ts': [
        CORE_IMPORT,
        "import { workflowName } from './names.js';",
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        "  @Workflow({ name: workflowName('place') })",
        '  async place(ctx: DurableContext, input: { id: string }) {',
        '    return input.id;',
        '  }',
        '}',
      ],
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 5, column: 21, code: 'non-literal-options' },
      '@Workflow on Orders.place options',
      "replace `workflowName('place')` with its value",
    );
  });

  it('refuses options that are a literal but not an object', () => {
    const result = scanApp({ 'src/orders.ts': ordersService("@Step('charge')") });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 9, column: 9, code: 'non-literal-options' },
      '@Step on Orders.charge takes an options object literal',
    );
  });

  it('reads options written with `as const`, negative numbers and quoted keys', () => {
    const result = scanApp({
      'src/orders.ts': ordersService(
        "@Step({ 'retry': { maxAttempts: 2, jitter: 'none' as const }, timeoutMs: 1e3 } as const)",
      ),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services[0]?.steps[0]).toMatchObject({
      retry: { maxAttempts: 2, jitter: 'none' },
      timeoutMs: 1000,
    });
  });
});

describe('scan: decorators must be called', () => {
  it('reports @Step without parentheses at the decorator, and still counts the step', () => {
    const result = scanApp({ 'src/orders.ts': ordersService('@Step') });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 9, column: 3, code: 'decorator-not-called' },
      '@Step on Orders.charge is a decorator factory: write @Step() with parentheses.',
    );
    expect(result.model.services[0]?.workflows[0]?.steps).toEqual(['charge']);
  });

  it('reports @DurableService without parentheses and leaves the class out', () => {
    const result = scanApp({
      'src/billing.ts': billingService(),
      'src/orders.ts': [CORE_IMPORT, '@DurableService', 'export class Orders {}'],
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 2, column: 1, code: 'decorator-not-called' },
      'write @DurableService() with parentheses',
    );
    expect(result.model.services.map((s) => s.name)).toEqual(['billing']);
  });
});

describe('scan: names', () => {
  it('reports a service name used in two files, at the second class', () => {
    const result = scanApp({
      'src/a-orders.ts': [CORE_IMPORT, "@DurableService({ name: 'orders' })", 'export class Orders {}'],
      'src/b-orders.ts': [CORE_IMPORT, "@DurableService({ name: 'orders' })", 'export class LegacyOrders {}'],
    });
    expectOneError(
      result,
      { file: 'src/b-orders.ts', line: 3, column: 14, code: 'duplicate-service' },
      "Service name 'orders' is used by Orders (src/a-orders.ts:3) and LegacyOrders",
      'each service needs its own name',
    );
  });

  it('reports two workflows of one service with the same name', () => {
    const result = scanApp({
      'src/orders.ts': [
        CORE_IMPORT,
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        "  @Workflow({ name: 'place' })",
        '  async place(ctx: DurableContext, input: { id: string }) {',
        '    return input.id;',
        '  }',
        "  @Workflow({ name: 'place' })",
        '  async placeAgain(ctx: DurableContext, input: { id: string }) {',
        '    return input.id;',
        '  }',
        '}',
      ],
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 9, column: 9, code: 'duplicate-workflow' },
      "Orders: workflow name 'place' is used by both place() and placeAgain()",
      'Each workflow needs its own stable name.',
    );
  });

  it('reports two steps of one service with the same name', () => {
    const result = scanApp({
      'src/orders.ts': ordersService("@Step({ name: 'charge' })", [
        "  @Step({ name: 'charge' })",
        '  async chargeAgain(id: string) {',
        '    return id;',
        '  }',
      ]),
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 14, column: 9, code: 'duplicate-step' },
      "Orders: step name 'charge' is used by both charge() and chargeAgain()",
      'Each step needs its own stable name.',
    );
  });

  it.each([
    ['uppercase and an underscore', 'Orders_V2'],
    ['a leading digit', '2-orders'],
    ['64 characters', `o${'x'.repeat(63)}`],
    ['an empty name', ''],
  ])('refuses a service name with %s, at the name', (_what, name) => {
    const result = scanApp({
      'src/orders.ts': [CORE_IMPORT, `@DurableService({ name: '${name}' })`, 'export class Orders {}'],
    });
    expectOneError(result, { file: 'src/orders.ts', line: 2, column: 25, code: 'invalid-service-name' });
  });

  it("explains what a service name may hold, in core's words", () => {
    const result = scanApp({
      'src/orders.ts': [CORE_IMPORT, "@DurableService({ name: 'Orders_V2' })", 'export class Orders {}'],
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 2, column: 25, code: 'invalid-service-name' },
      "@DurableService on Orders: name 'Orders_V2' must be lowercase letters, digits and '-', start with a letter " +
        'and be at most 63 characters (it prefixes store keys and function names).',
    );
  });

  it('refuses a class name whose kebab-case is no service name, at the decorator', () => {
    const result = scanApp({ 'src/orders.ts': [CORE_IMPORT, '@DurableService()', 'export class Orders_V2 {}'] });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 2, column: 1, code: 'invalid-service-name' },
      "name 'orders_v2' must be lowercase letters",
    );
  });

  it('names a service after its class in kebab-case when the decorator names none', () => {
    const result = scanApp({ 'src/orders.ts': [CORE_IMPORT, '@DurableService()', 'export class OrderHTTPService {}'] });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services.map((s) => s.name)).toEqual(['order-http-service']);
  });
});

describe('scan: invokes', () => {
  it('finds invokes through a generated client and through ctx.invoke (whatever the context is called)', () => {
    const result = scanApp({
      'src/billing.ts': billingService(),
      'src/orders.ts': [
        CORE_IMPORT,
        "import { BillingServiceClient as Billing } from '../generated/clients/billing.js';",
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        '  @Workflow()',
        '  async place(context: DurableContext, input: { id: string }) {',
        "    const total = await context.step('price', () => 42);",
        "    await context.invoke({ service: 'billing', workflow: 'charge' }, { order: input.id, total });",
        '    await this.confirm(input.id);',
        '    return Billing.charge(context, { order: input.id });',
        '  }',
        '  @Step()',
        '  async confirm(id: string) {',
        '    return id;',
        '  }',
        '}',
      ],
    });
    expect(result.diagnostics).toEqual([]);
    const orders = result.model.services.find((s) => s.name === 'orders');
    expect(orders?.workflows[0]?.steps).toEqual(['price', 'confirm']);
    expect(orders?.invokes).toEqual([
      {
        service: 'billing',
        workflow: 'charge',
        fromMethod: 'place',
        location: { file: 'src/orders.ts', line: 8, column: 11 },
      },
      {
        service: 'billing',
        workflow: 'charge',
        fromMethod: 'place',
        location: { file: 'src/orders.ts', line: 10, column: 12 },
      },
    ]);
  });

  it('reports an invoke of a service no scanned class is named', () => {
    const result = scanApp({ 'src/orders.ts': ordersCallingBilling('charge') });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 7, column: 18, code: 'unknown-invoke-target' },
      "Orders invokes service 'billing', which no scanned @DurableService is named. Scanned: orders.",
    );
  });

  it('reports an invoke of a workflow the target does not have', () => {
    const result = scanApp({ 'src/billing.ts': billingService(), 'src/orders.ts': ordersCallingBilling('refund') });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 7, column: 18, code: 'unknown-invoke-target' },
      "Orders invokes 'billing.refund', but BillingService has no workflow 'refund' (it has: charge).",
    );
  });

  it('reports a cross-account invoke between two services with different accounts', () => {
    const result = scanApp({
      'src/billing.ts': billingService(", account: '222222222222'"),
      'src/orders.ts': ordersCallingBilling('charge', ", account: '111111111111'"),
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 7, column: 18, code: 'cross-account-invoke' },
      "Orders (account 111111111111) invokes 'billing' in account 222222222222",
      'durable invokes stay in one account',
    );
  });

  it('reports a cross-account invoke from a service deployed to the scan account', () => {
    const result = scanApp(
      {
        'src/billing.ts': billingService(", account: '222222222222'"),
        'src/orders.ts': ordersCallingBilling('charge'),
      },
      { account: '111111111111' },
    );
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 7, column: 18, code: 'cross-account-invoke' },
      "Orders (account 111111111111) invokes 'billing' in account 222222222222",
    );
  });

  it('reports a cross-region invoke: the caller may invoke only in its own region', () => {
    const result = scanApp({
      'src/billing.ts': billingService(", region: 'us-east-1'"),
      'src/orders.ts': ordersCallingBilling('charge', ", region: 'eu-west-1'"),
    });
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 7, column: 18, code: 'cross-region-invoke' },
      "Orders (region eu-west-1) invokes 'billing' in region us-east-1: durable invokes stay in one region",
    );
  });

  it('reports a cross-region invoke from a service deployed to the scan region', () => {
    const result = scanApp(
      {
        'src/billing.ts': billingService(", region: 'us-east-1'"),
        'src/orders.ts': ordersCallingBilling('charge'),
      },
      { region: 'eu-west-1' },
    );
    expectOneError(result, { file: 'src/orders.ts', line: 7, column: 18, code: 'cross-region-invoke' });
  });

  it('accepts invokes within one account, named or defaulted, and when no account is known', () => {
    const sameNamed = scanApp({
      'src/billing.ts': billingService(", account: '111111111111'"),
      'src/orders.ts': ordersCallingBilling('charge', ", account: '111111111111'"),
    });
    const defaulted = scanApp(
      {
        'src/billing.ts': billingService(", account: '111111111111'"),
        'src/orders.ts': ordersCallingBilling('charge'),
      },
      { account: '111111111111' },
    );
    const unknown = scanApp({
      'src/billing.ts': billingService(", account: '111111111111'"),
      'src/orders.ts': ordersCallingBilling('charge'),
    });
    expect(sameNamed.diagnostics).toEqual([]);
    expect(defaulted.diagnostics).toEqual([]);
    expect(unknown.diagnostics).toEqual([]);
  });
});

describe('scan: functionName', () => {
  /** BillingService's class name is at line 3, column 14. */
  const at = { file: 'src/billing.ts', line: 3, column: 14 };
  const arn = (rest: string, account = '111111111111', region = 'eu-west-1') =>
    `arn:aws:lambda:${region}:${account}:function:${rest}`;

  it.each([
    ['a version', 'billing:3'],
    ['$LATEST', 'billing:$LATEST'],
    ['a qualified ARN', arn('billing:7')],
  ])('refuses %s: functionName names the function itself', (_what, functionName) => {
    const result = scanApp({ 'src/billing.ts': billingService(`, functionName: '${functionName}'`) });
    expectOneError(
      result,
      { ...at, code: 'qualified-function-name' },
      `BillingService functionName: '${functionName}' names`,
      "unqualified (functionName: 'billing')",
    );
  });

  it("refuses an ARN in another account than the service's", () => {
    const functionName = arn('billing', '222222222222');
    const result = scanApp({
      'src/billing.ts': billingService(`, account: '111111111111', functionName: '${functionName}'`),
    });
    expectOneError(
      result,
      { ...at, code: 'cross-account-function-name' },
      'is in account 222222222222, but the service deploys in account 111111111111',
    );
  });

  it('refuses an ARN in another account than the scan account', () => {
    const result = scanApp(
      { 'src/billing.ts': billingService(`, functionName: '${arn('billing', '222222222222')}'`) },
      { account: '111111111111' },
    );
    expectOneError(result, { ...at, code: 'cross-account-function-name' }, 'is in account 222222222222');
  });

  it("refuses an ARN in another region than the service's, or the scan's", () => {
    const functionName = arn('billing', '111111111111', 'us-east-1');
    const named = scanApp({
      'src/billing.ts': billingService(`, region: 'eu-west-1', functionName: '${functionName}'`),
    });
    expectOneError(
      named,
      { ...at, code: 'cross-region-function-name' },
      'is in region us-east-1, but the service deploys in eu-west-1',
    );
    const defaulted = scanApp(
      { 'src/billing.ts': billingService(`, functionName: '${functionName}'`) },
      { region: 'eu-west-1' },
    );
    expectOneError(defaulted, { ...at, code: 'cross-region-function-name' }, 'is in region us-east-1');
  });

  it.each([
    ['a short account id', 'arn:aws:lambda:eu-west-1:1111:function:billing'],
    ['another service', 'arn:aws:sqs:eu-west-1:111111111111:billing'],
    ['a layer', 'arn:aws:lambda:eu-west-1:111111111111:layer:billing:3'],
    ['a name with a space', 'bill ing'],
  ])('refuses a malformed name or ARN (%s)', (_what, functionName) => {
    const result = scanApp({ 'src/billing.ts': billingService(`, functionName: '${functionName}'`) });
    expectOneError(result, { ...at, code: 'invalid-function-name' }, `'${functionName}' is not a Lambda function`);
  });

  it('accepts a plain function name, and an unqualified ARN where the service deploys', () => {
    const placed = ", account: '111111111111', region: 'eu-west-1'";
    expect(
      scanApp({ 'src/billing.ts': billingService(`${placed}, functionName: '${arn('billing')}'`) }).diagnostics,
    ).toEqual([]);
    expect(scanApp({ 'src/billing.ts': billingService(", functionName: 'billing-prod'") }).diagnostics).toEqual([]);
  });
});

describe('scan: which decorators and files count', () => {
  it('recognises the decorators imported under an alias', () => {
    const result = scanApp({
      'src/orders.ts': [
        "import { DurableService as Service, Step as DurableStep, Workflow as Entry, type DurableContext } from '@durable/core';",
        "@Service({ name: 'orders' })",
        'export class Orders {',
        '  @Entry()',
        '  async place(ctx: DurableContext, input: { id: string }) {',
        '    return this.charge(input.id);',
        '  }',
        '  @DurableStep({ retry: { maxAttempts: 2 } })',
        '  async charge(id: string) {',
        '    return id;',
        '  }',
        '  @DurableStep',
        '  async refund(id: string) {',
        '    return id;',
        '  }',
        '}',
      ],
    });
    expect(result.model.services).toMatchObject([
      {
        className: 'Orders',
        name: 'orders',
        workflows: [{ name: 'place', steps: ['charge'] }],
        steps: [
          { name: 'charge', retry: { maxAttempts: 2 } },
          { name: 'refund', semantics: 'at-least-once' },
        ],
      },
    ]);
    // the alias is what the user wrote, so the fix names it
    expectOneError(
      result,
      { file: 'src/orders.ts', line: 12, column: 3, code: 'decorator-not-called' },
      'write @DurableStep() with parentheses',
    );
  });

  it('recognises the decorators through a namespace import', () => {
    const result = scanApp({
      'src/orders.ts': [
        "import * as durable from '@durable/core';",
        "@durable.DurableService({ name: 'orders' })",
        'export class Orders {',
        '  @durable.Workflow()',
        '  async place(ctx: durable.DurableContext, input: { id: string }) {',
        '    return this.charge(input.id);',
        '  }',
        "  @durable.Step({ semantics: 'at-most-once' })",
        '  async charge(id: string) {',
        '    return id;',
        '  }',
        '}',
      ],
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services).toMatchObject([
      {
        name: 'orders',
        workflows: [{ name: 'place', steps: ['charge'] }],
        steps: [{ name: 'charge', semantics: 'at-most-once' }],
      },
    ]);
  });

  it('ignores a class decorated with a DurableService of another module', () => {
    const result = scanApp({
      'src/billing.ts': billingService(),
      'src/orders.ts': [
        "import { DurableService, Step, Workflow } from './my-decorators.js';",
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        '  @Workflow()',
        '  async place() {}',
        '}',
      ],
      'src/mixed.ts': [
        "import { Step, Workflow } from '@durable/core';",
        "import { DurableService } from './my-decorators.js';",
        '@DurableService(options)',
        'export class Mixed {}',
      ],
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services.map((s) => s.name)).toEqual(['billing']);
  });

  it('ignores a @Step of another module on a method of a durable service', () => {
    const result = scanApp({
      'src/orders.ts': [
        "import { DurableService, Workflow, type DurableContext } from '@durable/core';",
        "import { Step } from './tracing.js';",
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        '  @Workflow()',
        '  async place(ctx: DurableContext, input: { id: string }) {',
        '    return this.charge(input.id);',
        '  }',
        '  @Step',
        '  async charge(id: string) {',
        '    return id;',
        '  }',
        '}',
      ],
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services[0]).toMatchObject({ steps: [], workflows: [{ name: 'place', steps: [] }] });
  });

  it('skips files under generated/, declaration files and node_modules', () => {
    const ghost = (name: string) => [CORE_IMPORT, `@DurableService({ name: '${name}' })`, `export class Ghost {}`];
    const result = scanApp(
      {
        'src/orders.ts': [CORE_IMPORT, "@DurableService({ name: 'orders' })", 'export class Orders {}'],
        'generated/handlers/orders.ts': ghost('orders'),
        'src/generated/clients/orders.ts': ghost('orders'),
        'src/ghost.d.ts': ghost('Not A Name'),
        'node_modules/some-lib/index.ts': ghost('orders'),
      },
      { paths: ['**/*.ts'] },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services.map((s) => s.source)).toEqual(['src/orders.ts']);
  });
});

describe('scan: steps a workflow reaches', () => {
  it('follows helpers (once each, recursion included) and lists each step once, in call order', () => {
    const result = scanApp({
      'src/orders.ts': [
        CORE_IMPORT,
        "@DurableService({ name: 'orders' })",
        'export class Orders {',
        '  @Workflow()',
        '  async place(ctx: DurableContext, input: { id: string; attempts: number }) {',
        '    await this.reserve(input.id);',
        '    await this.chargeWithRetries(input.id, input.attempts);',
        '    await this.reserve(input.id);',
        '    return this.ship(input.id);',
        '  }',
        '  @Workflow()',
        '  async cancel(ctx: DurableContext, input: { id: string }) {',
        '    return this.release(input.id);',
        '  }',
        '  private async chargeWithRetries(id: string, attempts: number): Promise<string> {',
        '    const charged = await this.charge(id);',
        '    return charged || attempts === 0 ? charged : this.chargeWithRetries(id, attempts - 1);',
        '  }',
        '  @Step() async reserve(id: string) { return id; }',
        '  @Step() async charge(id: string) { return id; }',
        '  @Step() async ship(id: string) { return id; }',
        '  @Step() async release(id: string) { return id; }',
        '}',
      ],
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services[0]?.workflows.map((w) => [w.name, w.steps])).toEqual([
      ['place', ['reserve', 'charge', 'ship']],
      ['cancel', ['release']],
    ]);
  });
});

describe('scan: lifetimes', () => {
  it('reads executionTimeout and retention as known options, into the model', () => {
    const result = scanApp({
      'src/billing.ts': billingService(', executionTimeout: { days: 90 }, retention: { days: 7 }'),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model.services[0]?.lifetimes).toEqual({ executionTimeoutMs: 90 * DAY_MS, retentionMs: 7 * DAY_MS });
  });

  it("fills in core's defaults for what the decorator leaves out", () => {
    const result = scanApp({ 'src/billing.ts': billingService(', retention: { hours: 12 }') });
    expect(result.model.services[0]?.lifetimes).toEqual({
      executionTimeoutMs: DEFAULT_EXECUTION_TIMEOUT_MS,
      retentionMs: DAY_MS / 2,
    });
  });

  it('refuses an executionTimeout over 366 days with core’s own message', () => {
    const result = scanApp({ 'src/billing.ts': billingService(', executionTimeout: { days: 400 }') });
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['invalid-option', expect.stringContaining('executionTimeout must be more than 0 and at most 366 days')],
    ]);
    expect(result.model.services[0]).not.toHaveProperty('lifetimes');
  });
});
