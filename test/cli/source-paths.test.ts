import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, REPO_ROOT, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const PLACEMENT = ['--account', '123456789012', '--region', 'eu-west-1'];
/** What generate writes for the fixture app, relative to its output folder. */
const GENERATED_FILES = [
  'clients/orders.ts',
  'clients/receipts.ts',
  'handlers/orders.ts',
  'handlers/receipts.ts',
  'iam/orders.json',
  'iam/receipts.json',
  'manifest.json',
];

/** Every file under `dir`, relative to it, with its content: to show that a refused command wrote nothing. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const file of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    const absolute = path.join(dir, file);
    if (file.includes('.')) files.set(file.split(path.sep).join('/'), readFileSync(absolute, 'utf8'));
  }
  return files;
}

interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  severity: string;
  message: string;
}

// Each test runs several CLI processes, each a few seconds on a loaded machine.
describe('paths work as in every linter: files, folders and globs', { timeout: 120_000 }, () => {
  it.each([['src'], ['src/'], ['.'], ['src/**/*.ts'], ['src/orders.ts', 'src/receipts.ts']])(
    'check %s finds both services of the app',
    async (...paths) => {
      const app = copyFixture();
      const { code, stdout, stderr } = await runCli(['check', ...paths, ...PLACEMENT], app);
      expect(stderr).toBe('');
      expect(stdout.trim()).toBe(`no problems: 2 services in ${paths.join(' ')}`);
      expect(code).toBe(0);
    },
  );

  it('a path that matches nothing exits 2 and says what was searched, in text and in JSON', async () => {
    const app = copyFixture();
    const text = await runCli(['check', 'nope/**/*.ts'], app);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toContain("'nope/**/*.ts' matches no TypeScript source file");
    expect(text.stderr).toContain('Searched: nope/**/*.ts');

    // One good path does not hide a mistyped one.
    const mixed = await runCli(['check', 'src', 'sercives', '--format', 'json'], app);
    expect(mixed.code).toBe(2);
    const diagnostics = JSON.parse(mixed.stdout) as JsonDiagnostic[];
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'no-sources', severity: 'error' })]);
    expect(diagnostics[0]?.message).toContain("'sercives'");
  });

  it('files without any @DurableService are an error, not "no problems: 0 services"', async () => {
    const app = copyFixture();
    mkdirSync(path.join(app, 'lib'));
    writeFileSync(path.join(app, 'lib/util.ts'), 'export const answer = 42;\n');
    for (const args of [
      ['check', 'lib'],
      ['check', 'lib', '--format', 'json'],
      ['generate', 'lib', ...PLACEMENT],
    ]) {
      const { code, stderr } = await runCli(args, app);
      expect(stderr).toContain('no @DurableService class');
      expect(code).toBe(2);
    }
    expect(existsSync(path.join(app, 'generated'))).toBe(false);
  });

  it('generate src writes every file, and a path that then matches nothing leaves them all as they were', async () => {
    const app = copyFixture();
    const first = await runCli(['generate', 'src', ...PLACEMENT], app);
    expect(first.code).toBe(0);
    const written = snapshot(path.join(app, 'generated'));
    expect([...written.keys()]).toEqual(GENERATED_FILES);
    const manifest = JSON.parse(written.get('manifest.json')!) as { services: Record<string, unknown> };
    expect(Object.keys(manifest.services)).toEqual(['orders', 'receipts']);

    for (const args of [
      ['generate', 'source'],
      ['generate', 'src/*.mts'],
      ['generate', 'lib/**'],
    ]) {
      const refused = await runCli([...args, ...PLACEMENT, '--format', 'json'], app);
      expect(refused.code).toBe(2);
      expect(JSON.parse(refused.stdout)).toEqual({
        files: [],
        diagnostics: [expect.objectContaining({ code: 'no-sources' })],
      });
    }
    expect(snapshot(path.join(app, 'generated'))).toEqual(written);
  });

  it('check . and generate . read the whole app (skipping node_modules, generated and dot-folders)', async () => {
    const app = copyFixture();
    // Sources in skipped folders would be duplicate services if they were read.
    for (const skipped of ['node_modules/dep', '.cache', 'dist']) {
      mkdirSync(path.join(app, skipped), { recursive: true });
      cpSync(path.join(app, 'src/orders.ts'), path.join(app, skipped, 'orders.ts'));
    }
    const checked = await runCli(['check', '.', ...PLACEMENT, '--format', 'json'], app);
    expect(JSON.parse(checked.stdout)).toEqual([]);
    expect(checked.code).toBe(0);
    const generated = await runCli(['generate', '.', ...PLACEMENT], app);
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    // A second generate . reads generated/ too: its clients must not become services.
    const again = await runCli(['generate', '.', ...PLACEMENT], app);
    expect(again.stdout).toContain('none changed');
  });

  it('commands given no paths use the ones the last generate recorded, for an app without src/', async () => {
    const app = copyFixture();
    cpSync(path.join(app, 'src'), path.join(app, 'services'), { recursive: true });
    const noSrc = await runCli(['check'], app);
    expect(noSrc.code).toBe(0); // src/ is still there: the default
    const generated = await runCli(['generate', 'services', ...PLACEMENT, '--out', 'gen'], app);
    expect(generated.code).toBe(0);
    writeFileSync(path.join(app, 'src/orders.ts'), 'export {};\n');
    writeFileSync(path.join(app, 'src/receipts.ts'), 'export {};\n');
    const checked = await runCli(['check', '--out', 'gen'], app);
    expect(checked.stdout.trim()).toBe('no problems: 2 services in services');
    expect(checked.code).toBe(0);
    const regenerated = await runCli(['generate', '--out', 'gen'], app);
    expect(regenerated.stdout).toContain('none changed');
    expect(regenerated.code).toBe(0);
  });
});

describe('a folder with services at its top, as a reviewer checks it', { timeout: 120_000 }, () => {
  const CORPUS = path.join(REPO_ROOT, 'packages/codegen/src/lint/__corpus__');

  /** `// expect: CODE` comments: the lines a finding must point at. */
  function markedLines(dir: string): string[] {
    const marked: string[] = [];
    for (const file of (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()) {
      readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .forEach((text, index) => {
          for (const match of text.matchAll(/\bexpect:\s*([a-z][a-z0-9-]*)/g)) {
            marked.push(`${file.split(path.sep).join('/')}:${index + 1} ${match[1]}`);
          }
        });
    }
    return marked.sort();
  }

  it.each(['top-level-service', 'helpers-imported-named', 'io-fetch'])(
    'check DIR --format json finds every marked line of %s',
    async (name) => {
      const app = copyFixture();
      cpSync(path.join(CORPUS, name), path.join(app, name), { recursive: true });
      const { code, stdout } = await runCli(['check', name, '--format', 'json'], app);
      const found = (JSON.parse(stdout) as JsonDiagnostic[]).map(
        (d) => `${path.relative(name, d.file).split(path.sep).join('/')}:${d.line} ${d.code}`,
      );
      const expected = markedLines(path.join(app, name));
      expect(expected.length).toBeGreaterThan(0);
      expect(found.sort()).toEqual(expected);
      expect(code).toBe(1);
    },
  );

  it('generate DIR --out DIR/generated writes handlers, clients, IAM and manifest', async () => {
    const app = copyFixture();
    cpSync(path.join(app, 'src'), path.join(app, 'shop'), { recursive: true });
    const { code, stdout } = await runCli(['generate', 'shop', '--out', 'shop/generated', ...PLACEMENT], app);
    expect(code).toBe(0);
    expect(stdout).toContain('7 files in shop/generated/');
    expect([...snapshot(path.join(app, 'shop/generated')).keys()]).toEqual(GENERATED_FILES);
    const handler = readFileSync(path.join(app, 'shop/generated/handlers/orders.ts'), 'utf8');
    expect(handler).toContain("from '../../orders.js'");
  });
});
