import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BundleError, bundle, generate, type Manifest } from '../../packages/codegen/src/index.js';
import { DynamoDbStore, deserialize } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';

/**
 * The whole path a service takes to Lambda, minus AWS: generate, bundle, zip,
 * then unzip into an empty folder outside the repository and run the handler
 * in a fresh Node process that has nothing but its environment, against
 * DynamoDB Local. If the bundle leaned on anything from node_modules, or
 * compiled the decorators the wrong way, this is where it shows.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Apps live inside the repository so that `@durable/core` and the AWS SDK resolve from its node_modules. */
const APPS_DIR = fileURLToPath(new URL('./.tmp/', import.meta.url));
const CORE_VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/core/package.json'), 'utf8')) as {
    version: string;
  }
).version;
const TABLE = 'durable-test';
const CHILD_TIMEOUT_MS = 30_000;
const RESULT_MARKER = '@@durable-bundle-test@@';

const SOURCES: Record<string, string> = {
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
const SERVICES = ['bundle-adder', 'bundle-greeter'];

const madeDirs: string[] = [];

/** A fresh copy of the test app inside the repository, generated. */
function generatedApp(): string {
  mkdirSync(APPS_DIR, { recursive: true });
  const root = mkdtempSync(path.join(APPS_DIR, 'app-'));
  madeDirs.push(root);
  for (const [file, content] of Object.entries(SOURCES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  const { diagnostics, files } = generate({
    root,
    paths: ['src/**/*.ts'],
    account: '123456789012',
    region: 'us-east-1',
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(files.size).toBeGreaterThan(0);
  return root;
}

function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'generated/manifest.json'), 'utf8')) as Manifest;
}

/** What the child process reports: the handler's answer, or why importing or running it threw. */
type ChildOutcome =
  | { ok: true; importMs: number; result: unknown }
  | { ok: false; error: { name: string; code: unknown; message: string } };

// Runs in the child: imports the bundle from the working directory, times the import (a cold start without the
// Lambda runtime), calls the handler once and reports on one marked line (the engine logs JSON lines too).
const CHILD_SCRIPT = `
import { pathToFileURL } from 'node:url';
import path from 'node:path';
let outcome;
try {
  const started = performance.now();
  const { handler } = await import(pathToFileURL(path.resolve('index.mjs')).href);
  const importMs = performance.now() - started;
  const result = await handler(JSON.parse(process.argv[1]));
  outcome = { ok: true, importMs, result };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) } };
}
// Exit explicitly (after the write is flushed): the SDK's keep-alive sockets must not hold the process open.
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(outcome) + '\\n', () => process.exit(0));
`;

/** Unzips `zip` into an empty folder outside the repository, where no node_modules can help. */
function unzipOutside(zip: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'durable-bundle-'));
  madeDirs.push(dir);
  for (const [name, content] of Object.entries(unzipSync(readFileSync(zip)))) {
    const target = path.join(dir, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/** Runs the unzipped handler in `dir` in a fresh `node` with only the environment a Lambda function would have. */
async function runInFreshNode(dir: string, event: unknown): Promise<ChildOutcome> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT, JSON.stringify(event)], {
    cwd: dir,
    env: {
      DURABLE_TABLE: TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoints')['dynamodb-local'],
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return JSON.parse(line.slice(RESULT_MARKER.length)) as ChildOutcome;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

beforeAll(() => {
  // esbuild bundles @durable/core the way an app gets it: its built dist/, not the sources vitest runs.
  if (!existsSync(path.join(REPO_ROOT, 'packages/core/dist/index.js'))) {
    throw new Error('packages/core/dist is missing: run `npx tsc -b` before this test.');
  }
});

afterAll(() => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
  if (existsSync(APPS_DIR) && readdirSync(APPS_DIR).length === 0) rmSync(APPS_DIR, { recursive: true, force: true });
});

describe('bundle', () => {
  const store = new DynamoDbStore({
    client: localClient(inject('dynamoDbEndpoints')['dynamodb-local']),
    tableName: TABLE,
  });
  let root: string;

  beforeAll(async () => {
    root = generatedApp();
    await bundle({ root });
  }, 120_000);

  it('writes one index.mjs and one zip per service, and records them in the manifest', () => {
    expect(readdirSync(path.join(root, 'dist')).sort()).toEqual(
      SERVICES.flatMap((name) => [name, `${name}.zip`]).sort(),
    );
    const manifest = readManifest(root);
    for (const name of SERVICES) {
      expect(readdirSync(path.join(root, 'dist', name))).toEqual(['index.mjs']);
      const zip = path.join(root, 'dist', `${name}.zip`);
      expect(manifest.services[name]?.bundle).toEqual({
        sha256: sha256(zip),
        coreVersion: CORE_VERSION,
        zip: `dist/${name}.zip`,
        bytes: statSync(zip).size,
      });
      // Everything else is what generate wrote.
      expect(manifest.services[name]?.coreVersion).toBe(CORE_VERSION);
      console.log(
        `[bundle size] ${name}: zip ${kb(statSync(zip).size)} (${statSync(zip).size} B), ` +
          `index.mjs ${kb(statSync(path.join(root, 'dist', name, 'index.mjs')).size)}`,
      );
    }
    expect(readFileSync(path.join(root, 'generated/manifest.json'), 'utf8')).toBe(
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
  });

  it('gives the same zip, byte for byte, when bundling again', async () => {
    const before = readManifest(root);
    const again = await bundle({ root });
    expect(again.services.map((s) => s.name)).toEqual(SERVICES);
    for (const service of again.services) {
      expect(service.sha256).toBe(before.services[service.name]?.bundle?.sha256);
      expect(service.coreVersion).toBe(CORE_VERSION);
    }
    expect(readManifest(root)).toEqual(before);
  }, 120_000);

  it('runs from the unzipped bundle alone, in a fresh process, against DynamoDB Local', async () => {
    const cases = [
      { service: 'bundle-greeter', input: { name: 'bundle' }, output: { greeting: 'Hello, bundle!', letters: 11 } },
      { service: 'bundle-adder', input: { a: 40, b: 2 }, output: { sum: 42 } },
    ];
    for (const { service, input, output } of cases) {
      const dir = unzipOutside(path.join(root, 'dist', `${service}.zip`));
      expect(readdirSync(dir)).toEqual(['index.mjs']);
      const executionId = `bundle-${randomUUID()}`;
      const outcome = await runInFreshNode(dir, { executionId, input });
      if (!outcome.ok) throw new Error(`${service} failed: ${outcome.error.name}: ${outcome.error.message}`);
      console.log(`[cold import] ${service}: ${outcome.importMs.toFixed(0)} ms`);
      expect(outcome.result).toEqual({ status: 'SUCCEEDED', executionId, output });

      const record = await store.getExecution({ service, executionId });
      expect(record?.status).toBe('SUCCEEDED');
      expect(deserialize(record?.output ?? 'null')).toEqual(output);
      const journal = await store.loadJournal({ service, executionId });
      const steps = journal.filter((op) => op.kind === 'step');
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.every((op) => op.status === 'SUCCEEDED')).toBe(true);
      if (service === 'bundle-greeter') {
        expect(journal.map((op) => `${op.kind}:${op.name}`)).toEqual(['step:compose', 'sleep:pause', 'step:count']);
      }
    }
  }, 120_000);
});

describe('a bundle whose @durable/core is not the generated version', () => {
  it('refuses to start, saying to regenerate and rebundle', async () => {
    const root = generatedApp();
    const handlerFile = path.join(root, 'generated/handlers/bundle-adder.ts');
    const generated = readFileSync(handlerFile, 'utf8');
    expect(generated).toContain(`assertCoreVersion('${CORE_VERSION}');`);
    writeFileSync(
      handlerFile,
      generated.replace(`assertCoreVersion('${CORE_VERSION}')`, "assertCoreVersion('0.0.1-other')"),
    );

    const { services } = await bundle({ root, services: ['bundle-adder'] });
    expect(services.map((s) => s.name)).toEqual(['bundle-adder']);
    // Only the bundled service is recorded.
    expect(readManifest(root).services['bundle-greeter']?.bundle).toBeNull();

    const outcome = await runInFreshNode(unzipOutside(services[0]!.zip), {
      executionId: `bundle-${randomUUID()}`,
      input: { a: 1, b: 2 },
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe('VersionMismatchError');
    expect(outcome.error.code).toBe('VERSION_MISMATCH');
    expect(outcome.error.message).toContain(`generated for @durable/core 0.0.1-other but runs ${CORE_VERSION}`);
    expect(outcome.error.message).toMatch(/Regenerate and rebundle/);
  }, 120_000);
});

describe('bundle errors', () => {
  it('without a manifest, says to run durable-gen generate first', async () => {
    mkdirSync(APPS_DIR, { recursive: true });
    const root = mkdtempSync(path.join(APPS_DIR, 'empty-'));
    madeDirs.push(root);
    const failure = await bundle({ root }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BundleError);
    expect(failure).toMatchObject({
      code: 'NO_MANIFEST',
      message: expect.stringMatching(/run `durable-gen generate` first/),
    });
  });
});
