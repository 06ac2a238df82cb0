/**
 * Which runtime packages a bundle holds: real esbuild builds of small apps (copies of the lambda-durable fixture,
 * inside the repository so that their imports resolve), and the check itself on real package folders.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, readManifest, removeFixtureCopies } from '../__fixtures__/fixture-app.js';
import { generate } from '../generate.js';
import { pinnedDurableSdkVersion } from '../lambda-durable/sdk-version.js';
import { bundle } from './bundle.js';
import { BundleError } from './bundle-error.js';
import { bundledVersions } from './bundled-versions.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CORE_VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/core/package.json'), 'utf8')) as { version: string }
).version;
const SDK_VERSION = pinnedDurableSdkVersion();
/** A file of each package, as esbuild's metafile names its inputs (relative to the working directory). */
const CORE_INPUT = 'packages/core/src/index.ts';
const SDK_INPUT = 'node_modules/@aws/durable-execution-sdk-js/dist/index.mjs';

const LEDGER_SERVICE = `import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** On the default backend, next to the lambda-durable services. */
@DurableService({ name: 'ledger' })
export class LedgerService {
  @Workflow()
  async record(ctx: DurableContext, input: { amount: number }): Promise<number> {
    return this.add(input.amount);
  }

  @Step()
  async add(amount: number): Promise<number> {
    return amount + 1;
  }
}
`;

beforeAll(() => {
  // esbuild bundles @durable/core as an app gets it: from its dist/.
  if (!existsSync(path.join(REPO_ROOT, 'packages/core/dist/lambda-durable.js'))) {
    throw new Error('packages/core/dist is missing or old: run `npx tsc -b` before this test.');
  }
});
afterAll(removeFixtureCopies);

/** A copy of the lambda-durable fixture with `extra` files, generated. */
function generatedApp(extra: Record<string, string> = {}): string {
  const root = copyFixture('lambda-durable');
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  const { diagnostics } = generate({ root, paths: ['src/**/*.ts'], account: '123456789012', region: 'eu-west-1' });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return root;
}

async function bundleFailure(root: string, services: string[]): Promise<BundleError> {
  const failure = await bundle({ root, services }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(BundleError);
  return failure as BundleError;
}

describe('bundle, for services on both backends', () => {
  it('records the SDK version of a lambda-durable bundle, and none in a dynamodb one, which holds no SDK', async () => {
    const root = generatedApp({ 'src/ledger-service.ts': LEDGER_SERVICE });

    const { services } = await bundle({ root, services: ['ledger', 'payments'] });

    expect(services.map((s) => [s.name, s.coreVersion, s.durableSdkVersion])).toEqual([
      ['ledger', CORE_VERSION, undefined],
      ['payments', CORE_VERSION, SDK_VERSION],
    ]);
    const manifest = readManifest(root);
    expect(manifest.services.payments?.bundle).toMatchObject({
      coreVersion: CORE_VERSION,
      durableSdkVersion: SDK_VERSION,
      zip: 'dist/payments.zip',
    });
    expect(manifest.services.ledger?.bundle).not.toHaveProperty('durableSdkVersion');
    expect(manifest.services.receipts?.bundle).toBeNull();
    // The handler asserts the version its bundle holds; and createDurableHandler leaves the DynamoDB client out.
    const code = readFileSync(path.join(root, 'dist/payments/index.mjs'), 'utf8');
    expect(code).toContain(`"${SDK_VERSION}"`);
    expect(code).not.toContain('DynamoDBClient');
  }, 60_000);

  it('refuses a lambda-durable bundle that holds two copies of the SDK', async () => {
    // The app's own copy, found first from its sources; @durable/core resolves the one it pins.
    const root = generatedApp({
      'node_modules/@aws/durable-execution-sdk-js/package.json': JSON.stringify({
        name: '@aws/durable-execution-sdk-js',
        version: '9.9.9',
        type: 'module',
        main: 'index.js',
      }),
      'node_modules/@aws/durable-execution-sdk-js/index.js': "export const SDK_VERSION = '9.9.9';\n",
    });
    const receipts = path.join(root, 'src/receipt-service.ts');
    // Appended (an import is hoisted wherever it stands), so the lines of the workflow, and the manifest, stay as
    // generated: the bundle gets as far as the SDK copies.
    writeFileSync(
      receipts,
      `${readFileSync(receipts, 'utf8')}\nimport { SDK_VERSION } from '@aws/durable-execution-sdk-js';\n` +
        'export const sdkVersion = SDK_VERSION;\n',
    );

    const failure = await bundleFailure(root, ['receipts']);

    expect(failure.code).toBe('BUNDLE_FAILED');
    expect(failure.message).toContain(
      "The bundle of service 'receipts' contains 2 copies of @aws/durable-execution-sdk-js",
    );
    expect(failure.message).toContain('9.9.9 in node_modules/@aws/durable-execution-sdk-js');
    expect(failure.message).toContain(`${SDK_VERSION} in `);
    expect(failure.message).toContain('npm dedupe');
    expect(readManifest(root).services.receipts?.bundle).toBeNull();
  }, 60_000);

  it('refuses a dynamodb bundle into which the SDK sneaked', async () => {
    const root = generatedApp({
      'src/ledger-service.ts': LEDGER_SERVICE.replace(
        "import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';",
        "import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';\n" +
          "import { MAX_CALLBACK_RESULT_BYTES } from '@durable/core/lambda-durable';",
      ).replace('return amount + 1;', 'return Math.min(amount + 1, MAX_CALLBACK_RESULT_BYTES);'),
    });

    const failure = await bundleFailure(root, ['ledger']);

    expect(failure.code).toBe('BUNDLE_FAILED');
    expect(failure.message).toContain(
      "The bundle of service 'ledger' (backend 'dynamodb') contains @aws/durable-execution-sdk-js",
    );
    expect(failure.message).toContain("declare the service @DurableService({ backend: 'lambda-durable' })");
    expect(readManifest(root).services.ledger?.bundle).toBeNull();
  }, 60_000);
});

describe('bundledVersions', () => {
  const native = { backend: 'lambda-durable', durableSdkVersion: SDK_VERSION } as const;

  it('reads one core and one SDK from the packages the inputs belong to', () => {
    expect(bundledVersions(REPO_ROOT, [CORE_INPUT, SDK_INPUT, '<runtime>'], 'payments', native)).toEqual({
      coreVersion: CORE_VERSION,
      durableSdkVersion: SDK_VERSION,
    });
    expect(bundledVersions(REPO_ROOT, [CORE_INPUT], 'ledger', { backend: 'dynamodb' })).toEqual({
      coreVersion: CORE_VERSION,
    });
  });

  it.each([
    {
      problem: 'a lambda-durable bundle without the SDK',
      inputs: [CORE_INPUT],
      entry: native,
      says: "contains no @aws/durable-execution-sdk-js, but its generated handler imports '@durable/core/lambda-durable'",
    },
    {
      problem: 'an SDK other than the one the handler asserts',
      inputs: [CORE_INPUT, SDK_INPUT],
      entry: { backend: 'lambda-durable', durableSdkVersion: '2.3.9' },
      says: `contains @aws/durable-execution-sdk-js ${SDK_VERSION} (node_modules/@aws/durable-execution-sdk-js), but its generated handler asserts 2.3.9`,
    },
    {
      problem: 'a bundle without core',
      inputs: [SDK_INPUT],
      entry: native,
      says: 'contains no @durable/core, but generated handlers import it',
    },
  ] as const)('refuses $problem', ({ inputs, entry, says }) => {
    expect(() => bundledVersions(REPO_ROOT, inputs, 'payments', entry)).toThrow(says);
  });
});
