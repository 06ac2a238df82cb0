import { defineConfig } from 'vitest/config';

// The tools run on Node 20 here; the SDK's notice that it will need Node 22 from 2027 is known (bundles
// target nodejs22.x) and would otherwise bury the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The engine suites run on every store: in memory, on dynalite and on DynamoDB Local. */
const engineSuites = [
  'packages/core/src/engine/**/*.test.ts',
  'packages/core/src/handler/**/*.test.ts',
  'packages/core/src/invoke/**/*.test.ts',
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
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], globalSetup: dynamoDbSetup },
      },
    ],
  },
});
