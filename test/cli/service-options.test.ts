import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const ACCOUNT = '123456789012';
const PLACEMENT = ['--account', ACCOUNT, '--region', 'eu-west-1'];
const RECEIPTS_DECORATOR = "@DurableService({ name: 'receipts' })";

interface JsonDiagnostic {
  file: string;
  line: number;
  code: string;
  severity: string;
  message: string;
}

interface Statement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

function edit(app: string, file: string, from: string, to: string): void {
  const absolute = path.join(app, file);
  const source = readFileSync(absolute, 'utf8');
  if (!source.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(absolute, source.replace(from, to));
}

const lineOf = (app: string, file: string, snippet: string): number =>
  readFileSync(path.join(app, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(snippet)) + 1;

const policy = (app: string, service: string): Statement[] =>
  (JSON.parse(readFileSync(path.join(app, `generated/iam/${service}.json`), 'utf8')) as { Statement: Statement[] })
    .Statement;

// Each test runs several CLI processes, each a few seconds on a loaded machine.
describe('functionName: a name, or an unqualified ARN of the service’s own account and region', {
  timeout: 120_000,
}, () => {
  it.each([
    ['shipping:3', 'a version after the name'],
    [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:receipts:3`, 'a qualified ARN'],
    [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:receipts:$LATEST`, 'an ARN of $LATEST'],
    ['arn:aws:lambda:eu-west-1:999999999999:function:receipts', 'an ARN of another account'],
    [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:receipts`, 'an ARN of another region'],
  ])('%s (%s) fails check as it fails generate, at the decorator', async (functionName) => {
    const app = copyFixture();
    edit(
      app,
      'src/receipts.ts',
      RECEIPTS_DECORATOR,
      `@DurableService({ name: 'receipts', functionName: '${functionName}' })`,
    );
    const checked = await runCli(['check', ...PLACEMENT, '--format', 'json'], app);
    const diagnostics = JSON.parse(checked.stdout) as JsonDiagnostic[];
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file: 'src/receipts.ts', severity: 'error' });
    expect(diagnostics[0]?.message).toContain(functionName);
    expect(checked.code).toBe(1);

    const generated = await runCli(['generate', ...PLACEMENT, '--format', 'json'], app);
    const refused = JSON.parse(generated.stdout) as { diagnostics: JsonDiagnostic[] };
    expect(refused.diagnostics.map((d) => d.code)).toEqual([diagnostics[0]?.code]);
    expect(generated.code).toBe(1);
    expect(existsSync(path.join(app, 'generated'))).toBe(false);
  });

  it('an unqualified ARN names the function: IAM resources, log group and manifest use its bare name', async () => {
    const app = copyFixture();
    const arn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:receipt-issuer`;
    edit(app, 'src/receipts.ts', RECEIPTS_DECORATOR, `@DurableService({ name: 'receipts', functionName: '${arn}' })`);
    const { code } = await runCli(['generate', ...PLACEMENT], app);
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as {
      services: Record<string, { functionName: string; functionArn: string }>;
    };
    expect(manifest.services.receipts).toMatchObject({ functionName: 'receipt-issuer', functionArn: arn });
    const resources = policy(app, 'receipts').flatMap((s) => s.Resource);
    expect(resources).toContain(`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/receipt-issuer`);
    expect(resources.join(' ')).not.toContain('arn:aws:lambda:eu-west-1:123456789012:function:arn');
    // The caller's invoke permission names the same function.
    const invoke = policy(app, 'orders').find(
      (s) => s.Effect === 'Allow' && s.Action.includes('lambda:InvokeFunction'),
    );
    expect(invoke?.Resource).toEqual([`${arn}:*`]);
  });
});

describe('IAM: no $LATEST, no request without leading keys', { timeout: 120_000 }, () => {
  it('denies $LATEST of every target, and every table statement requires leading keys', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    const statements = policy(app, 'orders');
    const deny = statements.filter((s) => s.Effect === 'Deny');
    expect(deny).toEqual([
      expect.objectContaining({
        Action: ['lambda:InvokeFunction'],
        Resource: expect.arrayContaining([`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:receipts:$LATEST`]),
      }),
    ]);
    const table = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    expect(table.length).toBeGreaterThan(0);
    for (const statement of table) {
      expect(statement.Condition?.['ForAllValues:StringLike']).toEqual({ 'dynamodb:LeadingKeys': ['orders#*'] });
      expect(statement.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': expect.anything() });
    }
  });
});

describe('check applies every option rule of core', { timeout: 120_000 }, () => {
  it.each([
    [
      '@Step({ retry: { maxAttempts: 2, initialDelayMs: 1, backoffRate: 1 } })',
      '@Step({ retry: { maxAtempts: 5 } })',
      'maxAtempts',
    ],
    [
      '@Step({ retry: { maxAttempts: 2, initialDelayMs: 1, backoffRate: 1 } })',
      '@Step({ retry: { maxAttempts: 0 } })',
      'maxAttempts',
    ],
    [
      '@Step({ retry: { maxAttempts: 2, initialDelayMs: 1, backoffRate: 1 } })',
      '@Step({ timeoutMs: -5 })',
      'timeoutMs',
    ],
    ['@Workflow()', "@Workflow({ nmae: 'place' })", 'nmae'],
  ])('%s → %s is an error at its line', async (from, to, named) => {
    const app = copyFixture();
    edit(app, 'src/orders.ts', from, to);
    const { code, stdout } = await runCli(['check', ...PLACEMENT, '--format', 'json'], app);
    const diagnostics = JSON.parse(stdout) as JsonDiagnostic[];
    expect(diagnostics).toEqual([
      expect.objectContaining({ file: 'src/orders.ts', line: lineOf(app, 'src/orders.ts', to), severity: 'error' }),
    ]);
    expect(diagnostics[0]?.message).toContain(named);
    expect(code).toBe(1);
  });
});
