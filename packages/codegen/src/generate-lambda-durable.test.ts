/**
 * `generate` on the lambda-durable fixture (`payments` waits for a callback, sleeps and invokes `receipts`, both
 * on backend `lambda-durable`), run on temp copies of it.
 *
 * Golden files: `__golden__/lambda-durable/` holds exactly what `generate` writes for the fixture. When the output
 * changes on purpose, rewrite them with
 *
 *   UPDATE_GOLDEN=1 npx vitest run --project unit packages/codegen/src/generate-lambda-durable.test.ts
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  copyFixture,
  edit,
  placeOf,
  readManifest,
  readTree,
  removeFixtureCopies,
  typeCheck,
} from './__fixtures__/fixture-app.js';
import { type GenerateOptions, type GenerateResult, generate } from './generate.js';

const GOLDEN = fileURLToPath(new URL('./__golden__/lambda-durable/', import.meta.url));
const TWO_SERVICES_GOLDEN = fileURLToPath(new URL('./__golden__/two-services/', import.meta.url));
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
const OPTIONS = { paths: ['src/**/*.ts'], account: '123456789012', region: 'eu-west-1' };
const PAYMENTS = 'src/payment-service.ts';
const RECEIPTS = 'src/receipt-service.ts';
const PAYMENTS_DECORATOR = `@DurableService({
  name: 'payments',
  backend: 'lambda-durable',
  executionTimeout: { days: 7 },
  retention: { days: 14 },
})`;

/** What the installed @durable/core pins: the version generated handlers must assert. */
const CORE_PACKAGE = createRequire(import.meta.url).resolve('@durable/core/package.json');
const PINNED_SDK = (JSON.parse(readFileSync(CORE_PACKAGE, 'utf8')) as { dependencies: Record<string, string> })
  .dependencies['@aws/durable-execution-sdk-js'];

afterAll(removeFixtureCopies);

function generateApp(root: string, options: Partial<GenerateOptions> = {}): GenerateResult {
  return generate({ root, ...OPTIONS, ...options });
}

function errorsOf(result: GenerateResult) {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

describe('generate on an app on backend lambda-durable', () => {
  it('writes the golden files, and nothing else', () => {
    const root = copyFixture('lambda-durable');
    const result = generateApp(root);

    expect(result.diagnostics).toEqual([]);
    const written = readTree(root);
    expect([...written.keys()]).toEqual([
      'generated/clients/payments.ts',
      'generated/clients/receipts.ts',
      'generated/handlers/payments.ts',
      'generated/handlers/receipts.ts',
      'generated/iam/payments-callbacks.json',
      'generated/iam/payments.json',
      'generated/iam/receipts.json',
      'generated/manifest.json',
    ]);
    if (UPDATE_GOLDEN) {
      rmSync(GOLDEN, { recursive: true, force: true });
      for (const [file, content] of written) {
        mkdirSync(path.dirname(path.join(GOLDEN, file)), { recursive: true });
        writeFileSync(path.join(GOLDEN, file), content);
      }
    }
    const golden = readTree(GOLDEN);
    expect([...golden.keys()], 'the golden files (UPDATE_GOLDEN=1 rewrites them)').toEqual([...written.keys()]);
    for (const [file, content] of written) expect(content, file).toBe(golden.get(file));
  });

  it('writes handlers that type-check with the app and the lambda-durable subpath of core', { timeout: 90_000 }, () => {
    const root = copyFixture('lambda-durable');
    expect(errorsOf(generateApp(root))).toEqual([]);
    expect(typeCheck(root)).toEqual([]);
  });

  it('records the backend, the SDK version and the DurableConfig of each service, and no table', () => {
    const root = copyFixture('lambda-durable');
    expect(errorsOf(generateApp(root, { table: 'orders-journal' }))).toEqual([]);

    const { services } = readManifest(root);
    expect(services.payments).toMatchObject({
      backend: 'lambda-durable',
      durableSdkVersion: PINNED_SDK,
      // { days: 7 } and { days: 14 }, from the decorator.
      durableConfig: { executionTimeoutSeconds: 604_800, retentionDays: 14 },
    });
    // core's defaults: 30 days of timeout, 30 of retention.
    expect(services.receipts?.durableConfig).toEqual({ executionTimeoutSeconds: 2_592_000, retentionDays: 30 });
    for (const entry of Object.values(services)) expect(entry).not.toHaveProperty('table');
    // --table is the default of services that keep a journal in DynamoDB: none here, so only the record of the
    // options generate was given names it.
    for (const [file, content] of readTree(root)) {
      if (file !== 'generated/manifest.json') expect(content, file).not.toContain('orders-journal');
    }
    expect(JSON.stringify(services)).not.toContain('orders-journal');
  });

  it('asserts the SDK version the installed @durable/core pins in its package.json, or the one it is given', () => {
    expect(PINNED_SDK).toMatch(/^\d+\.\d+\.\d+/);
    const root = copyFixture('lambda-durable');
    generateApp(root);
    const handler = (): string => readFileSync(path.join(root, 'generated/handlers/payments.ts'), 'utf8');
    expect(handler()).toContain(`assertDurableSdkVersion('${PINNED_SDK}');`);

    expect(errorsOf(generateApp(root, { durableSdkVersion: '2.5.0' }))).toEqual([]);
    expect(handler()).toContain("assertDurableSdkVersion('2.5.0');");
    expect(readManifest(root).services.payments?.durableSdkVersion).toBe('2.5.0');
  });

  it('leaves the services of an app on the dynamodb backend as they were, next to one on lambda-durable', () => {
    const root = copyFixture('two-services');
    const native = copyFixture('lambda-durable');
    cpSync(path.join(native, RECEIPTS), path.join(root, RECEIPTS));

    expect(generateApp(root, { table: 'durable-executions' }).diagnostics).toEqual([]);

    const written = readTree(root);
    for (const [file, content] of readTree(TWO_SERVICES_GOLDEN)) {
      if (file !== 'generated/manifest.json') expect(written.get(file), file).toBe(content);
    }
    const golden = JSON.parse(readTree(TWO_SERVICES_GOLDEN).get('generated/manifest.json')!) as ReturnType<
      typeof readManifest
    >;
    const { services } = readManifest(root);
    expect(services.notifier).toEqual(golden.services.notifier);
    expect(services.reviews).toEqual(golden.services.reviews);
    expect(services.receipts).toMatchObject({ backend: 'lambda-durable', durableSdkVersion: PINNED_SDK });
    expect(written.get('generated/handlers/receipts.ts')).toContain('createDurableHandler(ReceiptService)');
  });
});

describe('generate refuses what backend lambda-durable cannot express, at file:line:col', () => {
  it.each([
    {
      problem: 'an execution timeout that is not whole seconds',
      option: 'executionTimeout: { days: 7 }',
      replacement: 'executionTimeout: { seconds: 90, ms: 500 }',
      at: '{ seconds: 90, ms: 500 }',
      code: 'unsupported-lifetime',
      says: 'executionTimeout is 90500 ms',
    },
    {
      problem: 'a retention of more than 90 days',
      option: 'retention: { days: 14 }',
      replacement: 'retention: { days: 120 }',
      at: '{ days: 120 }',
      code: 'unsupported-lifetime',
      says: 'retention is 120 days',
    },
    {
      problem: 'a retention that is not whole days',
      option: 'retention: { days: 14 }',
      replacement: 'retention: { hours: 36 }',
      at: '{ hours: 36 }',
      code: 'unsupported-lifetime',
      says: 'write { days: 2 }',
    },
  ] as const)('$problem: $code, nothing written', ({ option, replacement, at, code, says }) => {
    const root = copyFixture('lambda-durable');
    edit(root, PAYMENTS, option, replacement);

    const result = generateApp(root);

    expect(errorsOf(result)).toEqual([expect.objectContaining({ ...placeOf(root, PAYMENTS, at), code })]);
    expect(errorsOf(result)[0]!.message).toContain(says);
    expect(errorsOf(result)[0]!.message).toContain("backend 'lambda-durable'");
    expect(result.files.size).toBe(0);
    expect(existsSync(path.join(root, 'generated'))).toBe(false);
  });

  it('warns of a checkpoint table, which the service would not use, and generates', () => {
    const root = copyFixture('lambda-durable');
    edit(root, PAYMENTS, "backend: 'lambda-durable',", "backend: 'lambda-durable',\n  table: 'payments-journal',");

    const result = generateApp(root);

    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        ...placeOf(root, PAYMENTS, "'payments-journal'"),
        code: 'option-not-on-backend',
        severity: 'warning',
        message: expect.stringContaining("on backend 'lambda-durable' the service keeps the journal"),
      }),
    ]);
    expect(readManifest(root).services.payments).not.toHaveProperty('table');
    expect(JSON.stringify([...result.files.values()])).not.toContain('payments-journal');
  });

  it('refuses an invoke of a service on the other backend, both ways', () => {
    const root = copyFixture('lambda-durable');
    edit(root, RECEIPTS, "backend: 'lambda-durable'", "backend: 'dynamodb'");

    const nativeCaller = errorsOf(generateApp(root));
    expect(nativeCaller).toEqual([
      expect.objectContaining({
        ...placeOf(root, PAYMENTS, 'ReceiptServiceClient.issue('),
        code: 'cross-backend-invoke',
      }),
    ]);
    expect(nativeCaller[0]!.message).toContain(
      "PaymentService (backend 'lambda-durable') invokes 'receipts', which runs on backend 'dynamodb'",
    );

    edit(root, RECEIPTS, "backend: 'dynamodb'", "backend: 'lambda-durable'");
    edit(root, PAYMENTS, PAYMENTS_DECORATOR, "@DurableService({ name: 'payments' })");
    const dynamoDbCaller = errorsOf(generateApp(root));
    expect(dynamoDbCaller.map((d) => [d.code, d.line])).toEqual([
      ['cross-backend-invoke', placeOf(root, PAYMENTS, 'ReceiptServiceClient.issue(').line],
    ]);
    expect(dynamoDbCaller[0]!.message).toContain("(backend 'dynamodb') invokes 'receipts'");
    expect(existsSync(path.join(root, 'generated'))).toBe(false);
  });
});
