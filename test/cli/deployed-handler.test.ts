import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, CLI_TIMEOUT_MS, cleanUp, copyFixture, runCli } from './cli-harness.js';

/**
 * What `generate` and `bundle` make of a service for Lambda: the function its `functionName` names, the policy
 * around its invokes and its table, and the handler itself, run from its zip in a fresh process the way Lambda
 * would (with a Lambda context). Each refusal tested here happens before the handler sends any request, so no
 * DynamoDB is needed.
 */

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const PLACEMENT = ['--account', ACCOUNT, '--region', REGION];
const RECEIPTS_DECORATOR = "@DurableService({ name: 'receipts' })";
const RESULT_MARKER = '@@deployed-handler@@';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

const unzipped: string[] = [];
afterAll(() => {
  for (const dir of unzipped) rmSync(dir, { recursive: true, force: true });
});

function edit(app: string, file: string, from: string, to: string): void {
  const absolute = path.join(app, file);
  const text = readFileSync(absolute, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer holds ${from}: update this test`);
  writeFileSync(absolute, text.replace(from, to));
}

function readJson<T>(app: string, file: string): T {
  return JSON.parse(readFileSync(path.join(app, file), 'utf8')) as T;
}

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, unknown>>;
}

// Imports the bundle, calls its handler once with the Lambda context given, and reports on one marked line.
const CHILD_SCRIPT = `
let outcome;
try {
  const { handler } = await import(new URL('index.mjs', 'file://' + process.cwd() + '/').href);
  outcome = { ok: true, result: await handler(JSON.parse(process.argv[1]), JSON.parse(process.argv[2])) };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) } };
}
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(outcome) + '\\n', () => process.exit(0));
`;

type Outcome = { ok: true; result: unknown } | { ok: false; error: { name: string; code: unknown; message: string } };

/** Runs `dist/<service>.zip` of `app`, unzipped outside the repository, with `env` and an invoked function ARN. */
async function invokeZip(
  app: string,
  service: string,
  invokedFunctionArn: string,
  env: Record<string, string> = {},
): Promise<Outcome> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'durable-deployed-'));
  unzipped.push(dir);
  for (const [name, content] of Object.entries(unzipSync(readFileSync(path.join(app, 'dist', `${service}.zip`))))) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  const event = JSON.stringify({ executionId: 'deployed-1', input: { orderId: 'o-1' } });
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD_SCRIPT, event, JSON.stringify({ invokedFunctionArn })],
    {
      cwd: dir,
      // What a Lambda function has; an endpoint nothing listens on, so a request sent by mistake fails loudly.
      env: {
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => {
    stdout += data;
  });
  child.stderr.setEncoding('utf8').on('data', (data: string) => {
    stderr += data;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) throw new Error(`the handler reported nothing\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as Outcome;
}

describe('functionName', () => {
  it.each([
    ['a version', "'receipts:3'", 'qualified-function-name', "names version or alias '3' of function 'receipts'"],
    [
      'a qualified ARN',
      `'arn:aws:lambda:${REGION}:${ACCOUNT}:function:receipts:live'`,
      'qualified-function-name',
      "unqualified (functionName: 'receipts')",
    ],
    [
      'an ARN in another region',
      `'arn:aws:lambda:us-east-1:${ACCOUNT}:function:receipts'`,
      'cross-region-function-name',
      `is in region us-east-1, but the service deploys in ${REGION}`,
    ],
  ])('naming %s is refused by check and by generate, which writes nothing', async (_what, functionName, code, says) => {
    const app = copyFixture();
    edit(
      app,
      'src/receipts.ts',
      RECEIPTS_DECORATOR,
      `@DurableService({ name: 'receipts', functionName: ${functionName} })`,
    );

    const checked = await runCli(['check', ...PLACEMENT, '--format', 'json'], app);
    const generated = await runCli(['generate', ...PLACEMENT, '--format', 'json'], app);

    const findings = JSON.parse(checked.stdout) as { code: string; message: string; file: string }[];
    expect(findings).toEqual([expect.objectContaining({ code, file: 'src/receipts.ts' })]);
    expect(findings[0]?.message).toContain(says);
    expect(checked.code, checked.stderr).toBe(1);
    expect((JSON.parse(generated.stdout) as { diagnostics: unknown }).diagnostics).toEqual(findings);
    expect(generated.code, generated.stderr).toBe(1);
    expect(existsSync(path.join(app, 'generated'))).toBe(false);
  });

  it('as an unqualified ARN of its own account and region, gives the bare name to its IAM and log group', async () => {
    const app = copyFixture();
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:receipts-fn`;
    edit(app, 'src/receipts.ts', RECEIPTS_DECORATOR, `@DurableService({ name: 'receipts', functionName: '${arn}' })`);

    const generated = await runCli(['generate', ...PLACEMENT], app);
    expect(generated.code, generated.stdout + generated.stderr).toBe(0);

    const receipts = readJson<{ Statement: Statement[] }>(app, 'generated/iam/receipts.json');
    expect(receipts.Statement.find((s) => s.Sid === 'LogGroup')?.Resource).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/receipts-fn`,
    ]);
    const orders = readJson<{ Statement: Statement[] }>(app, 'generated/iam/orders.json');
    expect(orders.Statement.find((s) => s.Sid === 'InvokeServices')?.Resource).toEqual([`${arn}:*`]);
  });
});

describe('the generated policy', () => {
  it('denies $LATEST of every invoked function and its own, and table requests without leading keys', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);

    const orders = readJson<{ Statement: Statement[] }>(app, 'generated/iam/orders.json');
    const receiptsFunction = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:receipts`;
    expect(orders.Statement.filter((s) => s.Effect === 'Deny')).toEqual([
      {
        Sid: 'DenyLatest',
        Effect: 'Deny',
        Action: ['lambda:InvokeFunction'],
        Resource: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders:$LATEST`, `${receiptsFunction}:$LATEST`],
      },
    ]);
    for (const service of ['orders', 'receipts']) {
      const policy = readJson<{ Statement: Statement[] }>(app, `generated/iam/${service}.json`);
      const table = policy.Statement.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
      expect(table.length).toBeGreaterThan(0);
      for (const statement of table) expect(statement.Condition?.Null).toEqual({ 'dynamodb:LeadingKeys': 'false' });
    }
  });
});

describe('the bundled handler', () => {
  const RECEIPTS_FUNCTION = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:receipts`;

  it('has the table of generate --table, and refuses a DURABLE_TABLE that names another', async () => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT, '--table', 'shop-journal'], app)).code).toBe(0);
    expect(readFileSync(path.join(app, 'generated/handlers/receipts.ts'), 'utf8')).toContain("table: 'shop-journal',");
    expect((await runCli(['bundle', '--service', 'receipts'], app)).code).toBe(0);

    const outcome = await invokeZip(app, 'receipts', `${RECEIPTS_FUNCTION}:3`, { DURABLE_TABLE: 'durable-executions' });

    expect(outcome).toMatchObject({ ok: false, error: { name: 'ConfigurationError', code: 'CONFIGURATION' } });
    if (outcome.ok) return;
    expect(outcome.error.message).toContain("'shop-journal' by createHandler({ table })");
    expect(outcome.error.message).toContain("'durable-executions' by DURABLE_TABLE");
  });

  it.each([
    ['unqualified', RECEIPTS_FUNCTION],
    ['as $LATEST', `${RECEIPTS_FUNCTION}:$LATEST`],
  ])('refuses to run when invoked %s', async (_how, invokedFunctionArn) => {
    const app = copyFixture();
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    expect((await runCli(['bundle', '--service', 'receipts'], app)).code).toBe(0);

    const outcome = await invokeZip(app, 'receipts', invokedFunctionArn);

    expect(outcome).toMatchObject({
      ok: false,
      error: { name: 'UnpinnedInvocationError', code: 'UNPINNED_INVOCATION' },
    });
    if (outcome.ok) return;
    expect(outcome.error.message).toContain('Invoke a published version or an alias');
  });

  it("reads the app's src/durable.config.ts, and refuses a misspelled option in it", async () => {
    const app = copyFixture();
    writeFileSync(
      path.join(app, 'src/durable.config.ts'),
      "import { defineDurableConfig } from '@durable/core';\n\n" +
        '// @ts-expect-error: the misspelling the handler must not drop without a word\n' +
        'export default defineDurableConfig({ handler: { maxPayloadByte: 1024 } });\n',
    );
    expect((await runCli(['generate', ...PLACEMENT], app)).code).toBe(0);
    expect(readFileSync(path.join(app, 'generated/handlers/receipts.ts'), 'utf8')).toContain(
      "import durableConfig from '../../src/durable.config.js';",
    );
    expect((await runCli(['bundle', '--service', 'receipts'], app)).code).toBe(0);

    const outcome = await invokeZip(app, 'receipts', `${RECEIPTS_FUNCTION}:3`);

    expect(outcome).toMatchObject({ ok: false, error: { name: 'ConfigurationError', code: 'CONFIGURATION' } });
    if (outcome.ok) return;
    expect(outcome.error.message).toContain("src/durable.config.ts (read by the generated handler of 'receipts')");
    expect(outcome.error.message).toContain("unknown handler option 'maxPayloadByte'");
  });
});
