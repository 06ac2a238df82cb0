import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BundleError, bundle } from '../../packages/codegen/src/index.js';
import { DynamoDbStore, deserialize } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import {
  assertCoreBuilt,
  CORE_VERSION,
  emptyApp,
  generatedApp,
  readManifest,
  removeMadeDirs,
  runInFreshNode,
  SERVICES,
  TABLE,
  unzipOutside,
} from './bundle-app.js';

/**
 * The whole path a service takes to Lambda, minus AWS: generate, bundle, zip,
 * then unzip into an empty folder outside the repository and run the handler
 * in a fresh Node process that has nothing but its environment, against
 * DynamoDB Local. If the bundle leaned on anything from node_modules, or
 * compiled the decorators the wrong way, this is where it shows.
 */

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

beforeAll(assertCoreBuilt);
afterAll(removeMadeDirs);

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

  it('runs from the unzipped bundle alone, in a fresh process, against DynamoDB Local, on the table generate wrote into it', async () => {
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

describe('a handler generated for another @durable/core than the one bundled', () => {
  it('is not bundled: bundle finds it stale and says to generate again', async () => {
    const root = generatedApp();
    const handlerFile = path.join(root, 'generated/handlers/bundle-adder.ts');
    const generated = readFileSync(handlerFile, 'utf8');
    expect(generated).toContain(`assertCoreVersion('${CORE_VERSION}');`);
    writeFileSync(
      handlerFile,
      generated.replace(`assertCoreVersion('${CORE_VERSION}')`, "assertCoreVersion('0.0.1-other')"),
    );

    const failure = await bundle({ root, services: ['bundle-adder'] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BundleError);
    expect(failure).toMatchObject({ code: 'GENERATED_STALE' });
    expect(readManifest(root).services['bundle-adder']?.bundle).toBeNull();
  }, 120_000);

  it('refuses to start if it was bundled anyway, saying to regenerate and rebundle', async () => {
    const root = generatedApp();
    const { services } = await bundle({ root, services: ['bundle-adder'] });
    expect(services.map((s) => s.name)).toEqual(['bundle-adder']);
    // Only the bundled service is recorded.
    expect(readManifest(root).services['bundle-greeter']?.bundle).toBeNull();

    // What another bundler would have built from a handler generated for another version: the entry module, the
    // handler, comes last, so the last version literal is the one it asserts (the other is the bundled core's).
    const dir = unzipOutside(services[0]!.zip);
    const file = path.join(dir, 'index.mjs');
    const code = readFileSync(file, 'utf8');
    const literal = `"${CORE_VERSION}"`;
    expect(code.split(literal).length - 1).toBe(2);
    const at = code.lastIndexOf(literal);
    writeFileSync(file, `${code.slice(0, at)}"0.0.1-other"${code.slice(at + literal.length)}`);

    const outcome = await runInFreshNode(dir, { executionId: `bundle-${randomUUID()}`, input: { a: 1, b: 2 } });
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
    const root = emptyApp();
    const failure = await bundle({ root }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BundleError);
    expect(failure).toMatchObject({
      code: 'NO_MANIFEST',
      message: expect.stringMatching(/run `durable-gen generate` first/),
    });
  });
});
