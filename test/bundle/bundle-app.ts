import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { expect, inject } from 'vitest';
import { generate, type Manifest } from '../../packages/codegen/src/index.js';

/**
 * The app the bundle tests build, and how they run a bundle: unzipped into an
 * empty folder outside the repository, in a fresh Node process that has
 * nothing but the environment a Lambda function would have, against DynamoDB
 * Local.
 */

/** The repository's root folder. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Apps live inside the repository so that `@durable/core` and the AWS SDK resolve from its node_modules. */
const APPS_DIR = fileURLToPath(new URL('./.tmp/', import.meta.url));
/** The version of @durable/core in this repository: what generated handlers assert and bundles hold. */
export const CORE_VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/core/package.json'), 'utf8')) as {
    version: string;
  }
).version;
/** The table generate writes into the handlers: the fresh processes get no DURABLE_TABLE unless a test sets one. */
export const TABLE = 'durable-test';
const CHILD_TIMEOUT_MS = 30_000;
const RESULT_MARKER = '@@durable-bundle-test@@';

/** The test app: two services, its tsconfig and package.json. */
export const SOURCES: Record<string, string> = {
  'src/greeter-service.ts': `import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Greets, pauses a moment, counts letters: two steps around a durable sleep. */
@DurableService({ name: 'bundle-greeter' })
export class GreeterService {
  @Workflow()
  async greet(ctx: DurableContext, input: { name: string }): Promise<{ greeting: string; letters: number }> {
    const greeting = await this.compose(input.name);
    await ctx.sleep('pause', { ms: 5 });
    const letters = await this.count(greeting);
    return { greeting, letters };
  }

  @Step()
  async compose(name: string): Promise<string> {
    return \`Hello, \${name}!\`;
  }

  @Step()
  async count(text: string): Promise<number> {
    return text.replace(/[^a-z]/gi, '').length;
  }
}
`,
  'src/adder-service.ts': `import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Adds two numbers in one step. */
@DurableService({ name: 'bundle-adder' })
export class AdderService {
  @Workflow()
  async add(ctx: DurableContext, input: { a: number; b: number }): Promise<{ sum: number }> {
    ctx.logger.info('adding', input);
    return { sum: await this.sum(input.a, input.b) };
  }

  @Step()
  async sum(a: number, b: number): Promise<number> {
    return a + b;
  }
}
`,
  'tsconfig.json': `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        experimentalDecorators: true,
        useDefineForClassFields: false,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['src', 'generated'],
    },
    null,
    2,
  )}\n`,
  'package.json': `${JSON.stringify({ name: 'bundle-test-app', private: true, type: 'module' }, null, 2)}\n`,
};
/** The test app's services, sorted. */
export const SERVICES = ['bundle-adder', 'bundle-greeter'];

const madeDirs: string[] = [];

/** Removes every folder the tests made (for `afterAll`). */
export function removeMadeDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** An empty folder inside the repository, for an app that has nothing yet. */
export function emptyApp(): string {
  mkdirSync(APPS_DIR, { recursive: true });
  const root = mkdtempSync(path.join(APPS_DIR, 'empty-'));
  madeDirs.push(root);
  return root;
}

/** Fails with what to do when @durable/core is not built: esbuild bundles it as an app gets it, from its dist/. */
export function assertCoreBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'packages/core/dist/index.js'))) {
    throw new Error('packages/core/dist is missing: run `npx tsc -b` before this test.');
  }
}

/** A fresh copy of the test app inside the repository, with `extra` files, generated with `--table durable-test`. */
export function generatedApp(extra: Record<string, string> = {}): string {
  mkdirSync(APPS_DIR, { recursive: true });
  const root = mkdtempSync(path.join(APPS_DIR, 'app-'));
  madeDirs.push(root);
  for (const [file, content] of Object.entries({ ...SOURCES, ...extra })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  const { diagnostics, files } = generate({
    root,
    paths: ['src/**/*.ts'],
    account: '123456789012',
    region: 'us-east-1',
    table: TABLE,
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(files.size).toBeGreaterThan(0);
  return root;
}

/** The manifest of the app at `root`. */
export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'generated/manifest.json'), 'utf8')) as Manifest;
}

/** What the child process reports: the handler's answer, or why importing or running it threw; and its stdout. */
export type ChildOutcome = (
  | { ok: true; importMs: number; result: unknown }
  | { ok: false; error: { name: string; code: unknown; message: string } }
) & { stdout: string };

/** How the fresh process is run: the Lambda context's invoked ARN, and its environment on top of the base one. */
export interface ChildRun {
  invokedFunctionArn?: string;
  env?: Record<string, string>;
}

// Runs in the child: imports the bundle from the working directory, times the import (a cold start without the
// Lambda runtime), calls the handler once (with a Lambda context when given one) and reports on one marked line
// (the engine logs JSON lines too).
const CHILD_SCRIPT = `
import { pathToFileURL } from 'node:url';
import path from 'node:path';
let outcome;
try {
  const started = performance.now();
  const { handler } = await import(pathToFileURL(path.resolve('index.mjs')).href);
  const importMs = performance.now() - started;
  const context = process.argv[2] === undefined ? undefined : JSON.parse(process.argv[2]);
  const result = await handler(JSON.parse(process.argv[1]), context);
  outcome = { ok: true, importMs, result };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) } };
}
// Exit explicitly (after the write is flushed): the SDK's keep-alive sockets must not hold the process open.
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(outcome) + '\\n', () => process.exit(0));
`;

/** Unzips `zip` into an empty folder outside the repository, where no node_modules can help. */
export function unzipOutside(zip: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'durable-bundle-'));
  madeDirs.push(dir);
  for (const [name, content] of Object.entries(unzipSync(readFileSync(zip)))) {
    const target = path.join(dir, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/**
 * Runs the unzipped handler in `dir` in a fresh `node` with only the environment a Lambda function would have:
 * no DURABLE_TABLE, unless `run.env` sets one (the table is the one generate wrote into the handler).
 */
export async function runInFreshNode(dir: string, event: unknown, run: ChildRun = {}): Promise<ChildOutcome> {
  const context =
    run.invokedFunctionArn === undefined ? [] : [JSON.stringify({ invokedFunctionArn: run.invokedFunctionArn })];
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD_SCRIPT, JSON.stringify(event), ...context],
    {
      cwd: dir,
      env: {
        ...run.env,
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoints')['dynamodb-local'],
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) {
    throw new Error(`the child (exit ${code}) reported nothing\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  }
  return { ...(JSON.parse(line.slice(RESULT_MARKER.length)) as ChildOutcome), stdout };
}
