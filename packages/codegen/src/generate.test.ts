/**
 * `generate` on the two-services fixture (`reviews` invokes `notifier`), run on temp copies of it.
 *
 * Golden files: `__golden__/two-services/` holds exactly what `generate` writes for the fixture, at the same
 * paths relative to the app's root. When the generated output changes on purpose, rewrite them with
 *
 *   UPDATE_GOLDEN=1 npx vitest run --project unit packages/codegen/src/generate.test.ts
 *
 * and read the diff of `__golden__/` as carefully as any code change: it is what users open first.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFixture, edit, placeOf, readManifest, readTree, removeFixtureCopies } from './__fixtures__/fixture-app.js';
import type { Diagnostic } from './diagnostics.js';
import { type GenerateOptions, type GenerateResult, generate } from './generate.js';

const GOLDEN = fileURLToPath(new URL('./__golden__/two-services/', import.meta.url));
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

const NOTIFIER = 'src/notifier-service.ts';
const REVIEWS = 'src/review-service.ts';
const OPTIONS = { paths: ['src/**/*.ts'], account: '123456789012', region: 'eu-west-1', table: 'durable-executions' };

afterAll(removeFixtureCopies);

function generateApp(root: string, options: Partial<GenerateOptions> = OPTIONS): GenerateResult {
  return generate({ root, paths: OPTIONS.paths, ...options });
}

function errorsOf(result: GenerateResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

/** Type-checks the app's sources and generated files with the app's own tsconfig; returns the diagnostics. */
function typeCheck(root: string, oldProgram?: ts.Program): { program: ts.Program; problems: string[] } {
  const configFile = path.join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile);
  // Workspace packages resolve to their sources (the "source" export condition), as in the tests: never a stale dist/.
  const options = { ...parsed.options, noEmit: true, customConditions: ['source'] };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options, ...(oldProgram ? { oldProgram } : {}) });
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  return { program, problems: diagnostics.map((d) => ts.formatDiagnostic(d, host).trim()) };
}

describe('generate on the two-services app', () => {
  it('writes the golden files, and nothing else', () => {
    const root = copyFixture('two-services');
    const result = generateApp(root);

    expect(result.diagnostics).toEqual([]);
    const written = readTree(root);
    expect([...written.keys()]).toEqual([
      'generated/clients/notifier.ts',
      'generated/clients/reviews.ts',
      'generated/handlers/notifier.ts',
      'generated/handlers/reviews.ts',
      'generated/iam/notifier.json',
      'generated/iam/reviews.json',
      'generated/manifest.json',
    ]);
    expect(new Map([...result.files].sort(([a], [b]) => a.localeCompare(b)))).toEqual(written);

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

  it('writes TypeScript that type-checks with the app', { timeout: 90_000 }, () => {
    const root = copyFixture('two-services');
    expect(errorsOf(generateApp(root))).toEqual([]);

    const { program, problems } = typeCheck(root);
    expect(problems).toEqual([]);

    // Stubs take and return the workflows' own types, also for a workflow without input and one whose name is
    // not an identifier: right calls compile, a wrong input or a wrong use of the output does not.
    edit(
      root,
      NOTIFIER,
      '  @Step()\n  async pickChannel',
      [
        '  @Workflow()',
        '  async ping(ctx: DurableContext): Promise<string> {',
        '    return ctx.executionId;',
        '  }',
        '',
        "  @Workflow({ name: 'send-digest' })",
        '  async digest(_ctx: DurableContext, input: { to: string }): Promise<boolean> {',
        "    return this.send('email', input.to);",
        '  }',
        '',
        '  @Step()\n  async pickChannel',
      ].join('\n'),
    );
    expect(errorsOf(generateApp(root))).toEqual([]);
    const callers = [
      "import type { DurableContext } from '@durable/core';",
      "import { NotifierServiceClient } from '../generated/clients/notifier.js';",
      '',
      'export async function callers(ctx: DurableContext): Promise<number> {',
      '  const pong: string = await NotifierServiceClient.ping(ctx);',
      "  const sent: boolean = await NotifierServiceClient['send-digest'](ctx, { to: 'team@example.com' });",
      "  const result = await NotifierServiceClient.notify(ctx, { pr: 'one', findings: 0 });",
      '  return sent ? pong.length + result.channel : 0;',
      '}',
      '',
    ];
    writeFileSync(path.join(root, 'src/callers.ts'), callers.join('\n'));
    const rechecked = typeCheck(root, program).problems;
    expect(rechecked).toHaveLength(2);
    expect(rechecked[0]).toMatch(
      /^src\/callers\.ts\(7,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
    expect(rechecked[1]).toMatch(
      /^src\/callers\.ts\(8,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
  });

  it('writes the same bytes when run twice', () => {
    const root = copyFixture('two-services');
    const first = generateApp(root);
    const written = readTree(root);
    const second = generateApp(root);

    expect(second.diagnostics).toEqual([]);
    expect(second.files).toEqual(first.files);
    expect(readTree(root)).toEqual(written);
  });

  it("keeps the bundle and deployment records, and a deploy of a callee changes nothing in its callers' zips", () => {
    const root = copyFixture('two-services');
    generateApp(root);
    const manifest = readManifest(root);
    const bundle = {
      sha256: 'a'.repeat(64),
      coreVersion: '0.1.0',
      zip: '.durable/bundles/notifier.zip',
      bytes: 123_456,
    };
    const deployment = {
      publishedVersion: '7',
      qualifiedArn: 'arn:aws:lambda:eu-west-1:123456789012:function:notifier:7',
    };
    const callerBundle = { ...bundle, sha256: 'b'.repeat(64), zip: '.durable/bundles/reviews.zip' };
    manifest.services.notifier = { ...manifest.services.notifier!, bundle, deployment };
    manifest.services.reviews = { ...manifest.services.reviews!, bundle: callerBundle };
    writeFileSync(path.join(root, 'generated/manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    expect(generateApp(root).diagnostics).toEqual([]);

    const regenerated = readManifest(root);
    expect(regenerated.services.notifier).toMatchObject({ bundle, deployment });
    // The caller's zip holds nothing that changed: deploying its callee asks for no new caller version.
    expect(regenerated.services.reviews).toMatchObject({ bundle: callerBundle, deployment: null });
    // Neither the caller's stub nor its policy names the deployed version (the caller's bundle must not change
    // because the callee was deployed): the ARN reaches it through the environment, and the policy allows every
    // published version, for executions pinned to older caller versions.
    expect(readFileSync(path.join(root, 'generated/iam/reviews.json'), 'utf8')).not.toContain('function:notifier:7');
    expect(readFileSync(path.join(root, 'generated/clients/notifier.ts'), 'utf8')).not.toContain('function:notifier:7');
  });

  it('records the paths and options it was given, relative to the app, and reuses them when given none', () => {
    const root = copyFixture('two-services');
    generateApp(root, { ...OPTIONS, paths: [path.join(root, 'src')] });
    expect(readManifest(root).generateOptions).toEqual({
      paths: ['src'],
      account: '123456789012',
      region: 'eu-west-1',
      table: 'durable-executions',
    });
    const written = readTree(root);

    const again = generate({ root });

    expect(again.diagnostics).toEqual([]);
    expect(readTree(root)).toEqual(written);
  });

  it('removes the files of a service that no longer exists', () => {
    const root = copyFixture('two-services');
    generateApp(root);
    rmSync(path.join(root, REVIEWS));

    expect(generateApp(root).diagnostics).toEqual([]);

    expect([...readTree(root).keys()]).toEqual([
      'generated/clients/notifier.ts',
      'generated/handlers/notifier.ts',
      'generated/iam/notifier.json',
      'generated/manifest.json',
    ]);
    expect(Object.keys(readManifest(root).services)).toEqual(['notifier']);
  });

  it('replaces changed files by rename and leaves unchanged ones untouched, so a reader never sees them missing', () => {
    const root = copyFixture('two-services');
    generateApp(root);
    const stub = path.join(root, 'generated/clients/notifier.ts');
    const manifest = path.join(root, 'generated/manifest.json');
    const unchangedInode = statSync(stub).ino;
    const changedInode = statSync(manifest).ino;
    // What a generate killed between writing its temporary file and the rename leaves behind.
    const leftover = path.join(root, 'generated/handlers/reviews.ts.4242.tmp');
    writeFileSync(leftover, 'half');
    edit(root, REVIEWS, "name: 'save-findings'", "name: 'store-findings'");

    expect(generateApp(root).diagnostics).toEqual([]);

    expect(statSync(stub).ino).toBe(unchangedInode);
    expect(statSync(manifest).ino).not.toBe(changedInode);
    expect(readFileSync(manifest, 'utf8')).toContain('store-findings');
    expect(existsSync(leftover)).toBe(false);
  });
});

describe('generate on an app with an error', () => {
  it('reports a non-literal @Step option at its place and writes nothing', () => {
    const root = copyFixture('two-services');
    edit(
      root,
      NOTIFIER,
      '\n/** Where a notification goes. */',
      '\nconst MAX_ATTEMPTS = 4;\n\n/** Where a notification goes. */',
    );
    edit(root, NOTIFIER, 'retry: { maxAttempts: 4,', 'retry: { maxAttempts: MAX_ATTEMPTS,');

    const result = generateApp(root);

    expect(errorsOf(result)).toEqual([
      expect.objectContaining({ ...placeOf(root, NOTIFIER, 'MAX_ATTEMPTS,'), code: 'non-literal-options' }),
    ]);
    expect(errorsOf(result)[0]!.message).toContain('replace `MAX_ATTEMPTS` with its value');
    expect(result.files.size).toBe(0);
    expect(existsSync(path.join(root, 'generated'))).toBe(false);
  });

  it('leaves the output of the last good run untouched', () => {
    const root = copyFixture('two-services');
    generateApp(root);
    const before = readTree(root);
    edit(root, NOTIFIER, 'retry: { maxAttempts: 4,', 'retry: { maxAttempts: Number(4),');
    rmSync(path.join(root, REVIEWS));

    const result = generateApp(root);

    expect(errorsOf(result).map((d) => d.code)).toEqual(['non-literal-options']);
    expect(readTree(root)).toEqual(before);
  });
});

describe('generate refuses targets it cannot pin to one account and one version', () => {
  const notifierDecorator = "@DurableService({ name: 'notifier' })";
  const arnOf = (account: string, qualifier: string): string =>
    `arn:aws:lambda:eu-west-1:${account}:function:notifier${qualifier}`;

  it.each([
    {
      problem: 'an invoked service in another account',
      options: "account: '210987654321'",
      code: 'cross-account-invoke',
      at: [REVIEWS, 'NotifierServiceClient.notify('],
      says: 'in account 210987654321',
    },
    {
      problem: 'a qualified ARN',
      options: `functionName: '${arnOf('123456789012', ':7')}'`,
      code: 'qualified-function-name',
      at: [NOTIFIER, 'NotifierService {'],
      says: `'${arnOf('123456789012', ':7')}'`,
    },
    {
      problem: 'an ARN of $LATEST',
      options: `functionName: '${arnOf('123456789012', ':$LATEST')}'`,
      code: 'qualified-function-name',
      at: [NOTIFIER, 'NotifierService {'],
      says: '$LATEST',
    },
    {
      problem: 'an ARN of another account',
      options: `functionName: '${arnOf('210987654321', '')}'`,
      code: 'cross-account-function-name',
      at: [NOTIFIER, 'NotifierService {'],
      says: 'is in account 210987654321, but the service deploys in account 123456789012',
    },
    {
      problem: 'an ARN of another region',
      options: `functionName: 'arn:aws:lambda:us-east-1:123456789012:function:notifier'`,
      code: 'cross-region-function-name',
      at: [NOTIFIER, 'NotifierService {'],
      says: 'is in region us-east-1',
    },
  ] as const)('$problem: $code at file:line:col, nothing written', ({ options, code, at, says }) => {
    const root = copyFixture('two-services');
    edit(root, NOTIFIER, notifierDecorator, `@DurableService({ name: 'notifier', ${options} })`);

    const result = generateApp(root);

    const [file, snippet] = at;
    expect(errorsOf(result)).toEqual([expect.objectContaining({ ...placeOf(root, file, snippet), code })]);
    expect(errorsOf(result)[0]!.message).toContain(says);
    expect(result.files.size).toBe(0);
    expect(existsSync(path.join(root, 'generated'))).toBe(false);
  });

  it('reports missing-placement on every service when no account or region is given', () => {
    const root = copyFixture('two-services');

    const withNeither = generateApp(root, {});
    const withoutRegion = generateApp(root, { account: '123456789012' });

    const classes = [placeOf(root, NOTIFIER, 'NotifierService {'), placeOf(root, REVIEWS, 'ReviewService {')];
    expect(errorsOf(withNeither)).toEqual(
      classes.map((at) => expect.objectContaining({ ...at, code: 'missing-placement' })),
    );
    expect(errorsOf(withNeither)[0]!.message).toContain('--account');
    expect(errorsOf(withoutRegion)).toEqual(
      classes.map((at) => expect.objectContaining({ ...at, code: 'missing-placement' })),
    );
    expect(errorsOf(withoutRegion)[0]!.message).toContain('--region');
    expect(existsSync(path.join(root, 'generated'))).toBe(false);
  });
});
