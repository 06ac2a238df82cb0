import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// An app of a user in apps/<name> is the user's own: none of the projects below include it. Vitest run in such an
// app that has no config of its own finds this one, and would fail far from the cause (no test files, a missing
// global setup); so the cause is named here.
const appFolder = path.relative(path.dirname(fileURLToPath(import.meta.url)), process.cwd()).split(path.sep);
if (appFolder[0] === 'apps' && appFolder[1] !== undefined && appFolder[1] !== 'sample') {
  throw new Error(
    `Vitest found the repository's config from apps/${appFolder[1]}, which has no vitest.config.ts of its own: ` +
      'add one (README "Start your own app" shows it), or run the repository\'s tests from its root.',
  );
}

// The tools run on Node 20 here; the SDK's notice that it will need Node 22 from 2027 is known (bundles
// target nodejs22.x) and would otherwise bury the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The engine suites run on every store: in memory, on dynalite and on DynamoDB Local. */
const engineSuites = [
  'packages/core/src/engine/**/*.test.ts',
  'packages/core/src/handler/**/*.test.ts',
  'packages/core/src/invoke/**/*.test.ts',
  'packages/core/src/sweeper/**/*.test.ts',
];
const dynamoDbSetup = ['test/support/dynamodb-global-setup.ts'];

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "source" export
  // condition), so tests never run against a stale dist/.
  resolve: { conditions: ['source'] },
  esbuild: {
    target: 'es2022',
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], env: { DURABLE_TEST_STORE: 'memory' } },
      },
      {
        extends: true,
        test: {
          name: 'engine@dynalite',
          include: engineSuites,
          env: { DURABLE_TEST_STORE: 'dynalite' },
          globalSetup: dynamoDbSetup,
        },
      },
      {
        extends: true,
        test: {
          name: 'engine@dynamodb-local',
          include: engineSuites,
          env: { DURABLE_TEST_STORE: 'dynamodb-local' },
          globalSetup: dynamoDbSetup,
        },
      },
      {
        // apps/examples, included on purpose: the workflows users copy, tested as users test theirs (with
        // @durable/core/testing only, in memory). Its tests run from the root like every other project's.
        extends: true,
        test: { name: 'examples', include: ['apps/examples/test/**/*.test.ts'] },
      },
      {
        // The sample's own unit tests, with the kit as a user of the sample would write them.
        extends: true,
        test: {
          name: 'sample',
          include: ['apps/sample/test/**/*.test.ts'],
          globalSetup: ['apps/sample/test/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: dynamoDbSetup,
          // Real processes (the CLI, bundles, DynamoDB Local): a test runs several, each some seconds on 2 busy cores.
          testTimeout: 120_000,
        },
      },
    ],
  },
});
