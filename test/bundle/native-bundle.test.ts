import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, generate } from '../../packages/codegen/src/index.js';
import { assertCoreBuilt, emptyApp, removeMadeDirs, SOURCES, unzipOutside } from './bundle-app.js';

/**
 * A lambda-durable service as it ships: generated, bundled, unzipped into an
 * empty folder outside the repository (no node_modules can help), and run
 * from there under the durable functions SDK's own LocalDurableTestRunner
 * (the runner from the repository, the SDK the handler uses from the bundle).
 * Imported in a fresh Node as the runtime's copy (under `LAMBDA_RUNTIME_DIR`),
 * it refuses to start.
 */

const SERVICE = `import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Two steps around a one-second wait: the service ends the invocation there and invokes it again. */
@DurableService({ name: 'native-greeter', backend: 'lambda-durable' })
export class NativeGreeterService {
  @Workflow()
  async greet(ctx: DurableContext, input: { name: string }): Promise<{ greeting: string; at: Date }> {
    const greeting = await this.compose(input.name);
    await ctx.sleep('pause', { seconds: 1 });
    return { greeting, at: await this.stamp() };
  }

  @Step()
  async compose(name: string): Promise<string> {
    return \`Hello, \${name}!\`;
  }

  @Step()
  async stamp(): Promise<Date> {
    return new Date(0);
  }
}
`;

type Handler = ConstructorParameters<typeof LocalDurableTestRunner>[0]['handlerFunction'];

const RESULT_MARKER = '@@native-bundle-test@@';
// Runs in the child, in the unzipped folder with the environment a test gives: imports the bundle's handler (its
// cold start, where the SDK version is asserted) and reports how that went.
const CHILD_SCRIPT = `
import { pathToFileURL } from 'node:url';
import path from 'node:path';
let outcome;
try {
  await import(pathToFileURL(path.resolve('index.mjs')).href);
  outcome = { ok: true };
} catch (error) {
  outcome = { ok: false, error: { name: error?.name, code: error?.code, message: String(error?.message ?? error) } };
}
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(outcome) + '\\n', () => process.exit(0));
`;

interface Outcome {
  ok: boolean;
  error?: { name: string; code: unknown; message: string };
}

async function importInFreshNode(dir: string, env: Record<string, string> = {}): Promise<Outcome> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    cwd: dir,
    env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
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
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (line === undefined) throw new Error(`the child (exit ${code}) reported nothing\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice(RESULT_MARKER.length)) as Outcome;
}

let dir: string;
beforeAll(async () => {
  assertCoreBuilt();
  const root = emptyApp();
  writeFileSync(path.join(root, 'tsconfig.json'), SOURCES['tsconfig.json']!);
  writeFileSync(
    path.join(root, 'package.json'),
    '{ "name": "native-bundle-test", "private": true, "type": "module" }\n',
  );
  const src = path.join(root, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'native-greeter-service.ts'), SERVICE);
  // The runner's functions run in us-east-2.
  const { diagnostics } = generate({ root, paths: ['src'], account: '123456789012', region: 'us-east-2' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const { services } = await bundle({ root });
  expect(services.map((s) => s.name)).toEqual(['native-greeter']);
  dir = unzipOutside(services[0]!.zip);
});

afterAll(() => removeMadeDirs());

describe('a bundled lambda-durable handler', () => {
  it('runs from an empty folder under the SDK test runner: steps, a wait, the result with its types', async () => {
    // The bundle is imported from its folder outside the repository: everything it runs is inside it.
    const { handler } = (await import(pathToFileURL(path.join(dir, 'index.mjs')).href)) as { handler: Handler };
    await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
    try {
      const result = await new LocalDurableTestRunner({ handlerFunction: handler }).run({
        payload: { input: { name: 'Ada' } },
      });
      expect(result.getStatus()).toBe('SUCCEEDED');
      expect(result.getOperations().map((op) => `${op.getType()} ${op.getName()}`)).toEqual([
        'STEP compose',
        'WAIT pause',
        'STEP stamp',
      ]);
      expect(result.getInvocations()).toHaveLength(2);
      expect(JSON.stringify(result.getResult())).toContain('Hello, Ada!');
    } finally {
      await LocalDurableTestRunner.teardownTestEnvironment();
    }
  });

  it("refuses to start when the SDK it loads reports the runtime's copy, not the pinned one", async () => {
    // The SDK calls itself '<version>-bundled' when its module lies under LAMBDA_RUNTIME_DIR: the runtime's copy.
    const outcome = await importInFreshNode(dir, { LAMBDA_RUNTIME_DIR: dir });
    expect(outcome.ok).toBe(false);
    expect(outcome.error).toMatchObject({ code: 'DURABLE_SDK_VERSION' });
    expect(outcome.error?.message).toMatch(/2\.4\.0-bundled/);
  });
});
