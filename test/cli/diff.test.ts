import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Manifest, SchemaDiff } from '@durable/codegen';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const PLACEMENT = ['--account', '123456789012', '--region', 'eu-west-1'];
const ORDERS = 'src/orders.ts';

/** Replaces the one occurrence of `from` in the app's orders service. */
function editOrders(app: string, from: string, to: string): void {
  const file = path.join(app, ORDERS);
  const source = readFileSync(file, 'utf8');
  if (source.split(from).length !== 2) throw new Error(`'${from}' is not once in ${ORDERS}: update this test`);
  writeFileSync(file, source.replace(from, to));
}

/** The 1-based line of `snippet` in the orders service. */
function lineOf(app: string, snippet: string): number {
  const source = readFileSync(path.join(app, ORDERS), 'utf8');
  const index = source.indexOf(snippet);
  if (index < 0) throw new Error(`'${snippet}' is not in ${ORDERS}: update this test`);
  return source.slice(0, index).split('\n').length;
}

function manifestOf(app: string): Manifest {
  return JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')) as Manifest;
}

/** What deploy keeps of a service it deployed: `generated/deployed/<service>.json`. */
function recordDeployed(app: string, service: string): void {
  const manifest = manifestOf(app);
  mkdirSync(path.join(app, 'generated/deployed'), { recursive: true });
  const deployed = { ...manifest, services: { [service]: manifest.services[service] } };
  writeFileSync(path.join(app, `generated/deployed/${service}.json`), `${JSON.stringify(deployed, null, 2)}\n`);
}

/** An app that generated once, and whose `reserve` step was then renamed. */
async function appWithRenamedStep(): Promise<string> {
  const app = copyFixture();
  expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
  writeFileSync(path.join(app, 'old-manifest.json'), readFileSync(path.join(app, 'generated/manifest.json')));
  editOrders(app, '  @Step()\n  async reserve(', "  @Step({ name: 'reserveStock' })\n  async reserve(");
  return app;
}

describe('durable-gen diff', () => {
  it('compares two manifests: one line per change with its reason, a summary, exit 1 on a breaking change', async () => {
    const app = await appWithRenamedStep();
    expect((await runCli(['generate'], app)).code).toBe(0);
    const { code, stdout, stderr } = await runCli(['diff', 'old-manifest.json', 'generated/manifest.json'], app);
    expect(stderr).toBe('');
    const line = lineOf(app, 'await this.reserve(');
    expect(stdout).toMatch(
      new RegExp(`^src/orders\\.ts:${line} {2}BREAKING {2}place: step 'reserve' renamed to 'reserveStock'$`, 'm'),
    );
    expect(stdout).toMatch(/^ {4}the journal names the operation at each position/m);
    expect(stdout).toMatch(
      /^1 schema change, 1 breaking: old-manifest\.json → generated\/manifest\.json\. .*durable-gen replay/m,
    );
    expect(code).toBe(1);
  });

  it('with --format json prints the SchemaDiff', async () => {
    const app = await appWithRenamedStep();
    const { code, stdout } = await runCli(['diff', 'old-manifest.json', '--format', 'json'], app);
    const diff = JSON.parse(stdout) as SchemaDiff;
    expect(diff.breaking).toBe(true);
    expect(diff.changes).toEqual([
      expect.objectContaining({
        service: 'orders',
        workflow: 'place',
        classification: 'breaking',
        change: 'renamed',
        file: ORDERS,
        line: lineOf(app, 'await this.reserve('),
      }),
    ]);
    expect(code).toBe(1);
  });

  it('compares the working tree with the last deploy by default: an appended step is safe, exit 0', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    recordDeployed(app, 'orders');
    recordDeployed(app, 'receipts');
    editOrders(
      app,
      '    return { reservation, charged, receipt };',
      '    await this.confirm(null);\n    return { reservation, charged, receipt };',
    );
    const generated = readFileSync(path.join(app, 'generated/manifest.json'), 'utf8');
    const { code, stdout } = await runCli(['diff'], app);
    const line = lineOf(app, 'await this.confirm(null);');
    expect(stdout).toMatch(
      new RegExp(`^src/orders\\.ts:${line} {2}safe {6}place: step 'confirm' appended at the end of the workflow$`, 'm'),
    );
    expect(stdout).toContain(
      '1 schema change, none breaking: the last deploy (generated/deployed/) → the working tree.',
    );
    expect(code).toBe(0);
    // Nothing was written: the working tree was generated as a dry run.
    expect(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8')).toBe(generated);
  });

  it('says out loud that nothing changed', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    recordDeployed(app, 'orders');
    recordDeployed(app, 'receipts');
    editOrders(app, '  @Step()\n  async reserve(', '  /** Holds the stock. */\n  @Step()\n  async reserve(');
    const { code, stdout } = await runCli(['diff', '--service', 'orders'], app);
    expect(stdout.trim()).toBe('no schema changes: the last deploy (generated/deployed/) → the working tree');
    expect(code).toBe(0);
  });

  it('falls back on the manifest committed at git HEAD, else on the one the last generate wrote', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    // The copy lies inside this repository, where its manifest was never committed: the last generate is what is left.
    const generated = await runCli(['diff'], app);
    expect(generated.stdout.trim()).toBe('no schema changes: the last generate → the working tree');
    expect(generated.code).toBe(0);

    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
        cwd: app,
        stdio: 'ignore',
      });
    git('init', '--quiet');
    git('add', 'generated/manifest.json');
    git('commit', '--quiet', '-m', 'generated');
    editOrders(
      app,
      '    await this.confirm(order.waitFor',
      "    await ctx.sleep('cool', { seconds: 1 });\n    await this.confirm(order.waitFor",
    );
    const { code, stdout } = await runCli(['diff'], app);
    expect(stdout).toMatch(/BREAKING {2}place: sleep 'cool' inserted before step 'confirm'$/m);
    expect(stdout).toContain('generated/manifest.json at git HEAD → the working tree');
    expect(code).toBe(1);
  });

  it('says what is wrong when the working tree does not generate', async () => {
    const app = await appWithRenamedStep();
    editOrders(app, '    const reservation = await', '    const roll = Math.random();\n    const reservation = await');
    const { code, stdout, stderr } = await runCli(['diff', 'old-manifest.json'], app);
    expect(stdout).toMatch(/^src\/orders\.ts:\d+:\d+ {2}error /m);
    expect(stderr).toContain(
      'The working tree does not generate (1 error): fix what is listed, or pass the NEW manifest',
    );
    expect(code).toBe(1);
  });

  it('refuses a service neither manifest has, with exit 2', async () => {
    const app = await appWithRenamedStep();
    const { code, stderr } = await runCli(['diff', 'old-manifest.json', '--service', 'billing'], app);
    expect(stderr).toContain("No service 'billing' in either manifest (they have: orders, receipts).");
    expect(code).toBe(2);
  });
});

describe('durable-gen generate', () => {
  it('prints the schema changes since the last generate', async () => {
    const app = await appWithRenamedStep();
    const { code, stdout } = await runCli(['generate'], app);
    expect(stdout).toMatch(/^src\/orders\.ts:\d+ {2}BREAKING {2}place: step 'reserve' renamed to 'reserveStock'$/m);
    expect(stdout).toContain('1 schema change, 1 breaking: the last generate → the working tree.');
    expect(code).toBe(0);
  });
});
