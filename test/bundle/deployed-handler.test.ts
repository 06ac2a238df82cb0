import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundle } from '../../packages/codegen/src/index.js';
import { DynamoDbStore } from '../../packages/core/src/index.js';
import { localClient } from '../support/dynamodb-servers.js';
import {
  assertCoreBuilt,
  generatedApp,
  removeMadeDirs,
  runInFreshNode,
  SERVICES,
  TABLE,
  unzipOutside,
} from './bundle-app.js';

/**
 * A bundled handler as Lambda runs it: on the table `generate` wrote into it
 * (no DURABLE_TABLE needed, a different one refused), only when invoked
 * through a published version or an alias, and with the app's own options
 * from `src/durable.config.ts`.
 */

beforeAll(assertCoreBuilt);
afterAll(removeMadeDirs);

describe('a bundled handler, deployed as Lambda would run it', () => {
  const store = new DynamoDbStore({
    client: localClient(inject('dynamoDbEndpoints')['dynamodb-local']),
    tableName: TABLE,
  });
  const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:bundle-adder';
  let dir: string;

  beforeAll(async () => {
    const root = generatedApp();
    const { services } = await bundle({ root, services: ['bundle-adder'] });
    dir = unzipOutside(services[0]!.zip);
  }, 120_000);

  it('refuses a DURABLE_TABLE that names another table than the generated one, naming both, and writes nothing', async () => {
    const executionId = `bundle-${randomUUID()}`;
    const outcome = await runInFreshNode(
      dir,
      { executionId, input: { a: 1, b: 2 } },
      { env: { DURABLE_TABLE: 'other-table' } },
    );
    expect(outcome).toMatchObject({ ok: false, error: { name: 'ConfigurationError', code: 'CONFIGURATION' } });
    if (outcome.ok) return;
    expect(outcome.error.message).toContain(`'${TABLE}' by createHandler({ table })`);
    expect(outcome.error.message).toContain("'other-table' by DURABLE_TABLE");
    expect(await store.getExecution({ service: 'bundle-adder', executionId })).toBeUndefined();
  });

  it.each([
    ['unqualified', FUNCTION],
    ['as $LATEST', `${FUNCTION}:$LATEST`],
  ])('refuses to run when invoked %s, and writes nothing', async (_how, invokedFunctionArn) => {
    const executionId = `bundle-${randomUUID()}`;
    const outcome = await runInFreshNode(dir, { executionId, input: { a: 1, b: 2 } }, { invokedFunctionArn });
    expect(outcome).toMatchObject({
      ok: false,
      error: { name: 'UnpinnedInvocationError', code: 'UNPINNED_INVOCATION' },
    });
    if (outcome.ok) return;
    expect(outcome.error.message).toContain('Invoke a published version or an alias');
    expect(await store.getExecution({ service: 'bundle-adder', executionId })).toBeUndefined();
  });

  it('runs when invoked through a published version', async () => {
    const executionId = `bundle-${randomUUID()}`;
    const outcome = await runInFreshNode(
      dir,
      { executionId, input: { a: 1, b: 2 } },
      { invokedFunctionArn: `${FUNCTION}:4` },
    );
    expect(outcome).toMatchObject({ ok: true, result: { status: 'SUCCEEDED', executionId, output: { sum: 3 } } });
  });

  it("answers its schedule's sweep event with what it resumed: the generated handler has a resumer", async () => {
    const outcome = await runInFreshNode(
      dir,
      { durableSweep: 1, service: 'bundle-adder' },
      { invokedFunctionArn: `${FUNCTION}:live` },
    );
    expect(outcome).toMatchObject({ ok: true, result: { status: 'SWEPT', service: 'bundle-adder' } });
  });
});

/** An app's own handler options: a logger whose lines the test can tell apart, and a small payload limit for the adder. */
const DURABLE_CONFIG = `import { defineDurableConfig, type Logger } from '@durable/core';

function line(level: string): (message: string) => void {
  return (message) => {
    process.stdout.write(\`@@app-logger@@ \${level} \${message}\\n\`);
  };
}

const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };

export default defineDurableConfig({
  handler: (service) => ({ logger, maxPayloadBytes: service.name === 'bundle-adder' ? 200 : 2 * 1024 * 1024 }),
});
`;

/** The TypeScript errors of the app at `root`, against the built @durable/core (what an app outside this repo gets). */
function typeErrors(root: string): string[] {
  const configFile = path.join(root, 'tsconfig.json');
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configFile, ts.sys.readFile).config, ts.sys, root);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('an app with src/durable.config.ts', () => {
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = generatedApp({ 'src/durable.config.ts': DURABLE_CONFIG });
    const { services } = await bundle({ root, services: ['bundle-adder'] });
    dir = unzipOutside(services[0]!.zip);
  }, 120_000);

  it('gets generated handlers that import it, and type-check with it', () => {
    for (const service of SERVICES) {
      const handler = readFileSync(path.join(root, `generated/handlers/${service}.ts`), 'utf8');
      expect(handler).toContain("import durableConfig from '../../src/durable.config.js';");
      expect(handler).toContain('...configuredHandlerOptions(durableConfig, ');
    }
    expect(typeErrors(root)).toEqual([]);
  }, 90_000);

  it("runs its bundled handler with the config's logger and maxPayloadBytes", async () => {
    const executionId = `bundle-${randomUUID()}`;
    const small = await runInFreshNode(dir, { executionId, input: { a: 40, b: 2 } });
    expect(small).toMatchObject({ ok: true, result: { status: 'SUCCEEDED', executionId, output: { sum: 42 } } });
    expect(small.stdout).toContain('@@app-logger@@ info adding');

    const large = await runInFreshNode(dir, {
      executionId: `bundle-${randomUUID()}`,
      input: { a: 1, b: 2, pad: 'x'.repeat(300) },
    });
    expect(large).toMatchObject({ ok: false, error: { name: 'PayloadTooLargeError' } });
  });
});
