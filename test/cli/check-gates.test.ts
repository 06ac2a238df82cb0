import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const ACCOUNT = '123456789012';
const PLACEMENT = ['--account', ACCOUNT, '--region', 'eu-west-1'];

/** A service pinned to another account that invokes `receipts`: a cross-account invoke once the app's account is known. */
const BILLING = `import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService({ name: 'billing', account: '999999999999' })
export class BillingService {
  @Workflow()
  async bill(ctx: DurableContext, input: { orderId: string }): Promise<string> {
    const { receipt } = await ctx.invoke<{ orderId: string }, { receipt: string }>(
      { service: 'receipts', workflow: 'issue' },
      { orderId: input.orderId },
    );
    return receipt;
  }
}
`;

interface JsonDiagnostic {
  file: string;
  line: number;
  code: string;
  severity: string;
}

const codes = (stdout: string): string[] => (JSON.parse(stdout) as JsonDiagnostic[]).map((d) => d.code);

function editOrders(app: string, edit: (source: string) => string): void {
  const file = path.join(app, 'src/orders.ts');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

interface ManifestBundles {
  services: Record<string, { bundle: { sha256: string } | null; workflows: Record<string, { steps: string[] }> }>;
}
const readManifest = (app: string): ManifestBundles =>
  JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as ManifestBundles;

// Each test runs several CLI processes, each a few seconds on a loaded machine.
describe('check reports what generate refuses', { timeout: 120_000 }, () => {
  it('a cross-account invoke fails check --account as it fails generate', async () => {
    const app = copyFixture();
    writeFileSync(path.join(app, 'src/billing.ts'), BILLING);
    const checked = await runCli(['check', '--account', ACCOUNT, '--format', 'json'], app);
    expect(codes(checked.stdout)).toEqual(['cross-account-invoke']);
    expect(checked.code).toBe(1);

    const generated = await runCli(['generate', ...PLACEMENT, '--format', 'json'], app);
    const refused = JSON.parse(generated.stdout) as { files: unknown[]; diagnostics: JsonDiagnostic[] };
    expect(refused.diagnostics.map((d) => d.code)).toEqual(['cross-account-invoke']);
    expect(refused.files).toEqual([]);
    expect(generated.code).toBe(1);
  });

  it('check without options applies the account the last generate recorded', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    writeFileSync(path.join(app, 'src/billing.ts'), BILLING);
    const checked = await runCli(['check', '--format', 'json'], app);
    expect(codes(checked.stdout)).toEqual(['cross-account-invoke']);
    expect(checked.code).toBe(1);
  });

  it('check says which rules it could not apply when no account is known', async () => {
    const app = copyFixture();
    writeFileSync(path.join(app, 'src/billing.ts'), BILLING);
    const { code, stdout, stderr } = await runCli(['check'], app);
    expect(stderr).toContain('no account and region for OrderService, ReceiptService: cross-account and ARN rules');
    expect(stderr).toContain('no region for BillingService');
    expect(stdout).toContain('no problems: 3 services in src');
    expect(code).toBe(0);
  });
});

describe('bundle bundles only what check passes and generate describes', { timeout: 180_000 }, () => {
  it('refuses code that fails the lint since generate, and writes no zip', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    editOrders(app, (source) =>
      source.replace(
        'const reservation = await this.reserve(order.id, order.items);',
        'const reservation = await this.reserve(order.id, order.items + Math.round(Math.random()));',
      ),
    );
    const { code, stdout, stderr } = await runCli(['bundle'], app);
    expect(stdout).toMatch(/^src\/orders\.ts:\d+:\d+ {2}error nondeterministic-random /m);
    expect(stderr).toContain('[CHECK_FAILED]');
    expect(code).toBe(1);
    expect(existsSync(path.join(app, 'dist'))).toBe(false);
  });

  it('refuses a generated/ the code has moved away from, until generate runs again', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    editOrders(app, (source) =>
      source.replace(
        'const charged = await this.charge(order.items, order.decline === true);',
        "const charged = await this.charge(order.items, order.decline === true);\n    await ctx.step('audit', async () => charged);",
      ),
    );
    const stale = await runCli(['bundle'], app);
    expect(stale.stderr).toContain('generated/manifest.json would change');
    expect(stale.stderr).toContain('[GENERATED_STALE]');
    expect(stale.code).toBe(1);
    expect(existsSync(path.join(app, 'dist'))).toBe(false);

    expect((await runCli(['generate'], app)).code).toBe(0);
    const bundled = await runCli(['bundle'], app);
    expect(bundled.stderr).toBe('');
    expect(bundled.code).toBe(0);
  });

  it('generate drops the bundle record of a service whose steps changed, and keeps the others', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    expect((await runCli(['bundle'], app)).code).toBe(0);
    const bundled = readManifest(app);
    expect(bundled.services.orders?.bundle).not.toBeNull();

    expect((await runCli(['generate'], app)).code).toBe(0);
    expect(readManifest(app)).toEqual(bundled); // nothing changed: the records stay

    editOrders(app, (source) =>
      source.replace(
        "await ctx.sleep('settle',",
        "await ctx.step('settled', async () => 1);\n    await ctx.sleep('settle',",
      ),
    );
    expect((await runCli(['generate'], app)).code).toBe(0);
    const regenerated = readManifest(app);
    expect(regenerated.services.orders?.workflows.place?.steps).toContain('settled');
    expect(regenerated.services.orders?.bundle).toBeNull();
    expect(regenerated.services.receipts?.bundle).toEqual(bundled.services.receipts?.bundle);
  });
});
