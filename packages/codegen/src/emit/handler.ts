import { backendOf, type ServiceModel } from '../model.js';
import { generatedHeader, importPath } from './names.js';

/** What {@link emitHandler} writes into a handler besides the service itself. */
export interface HandlerEmitOptions {
  /** The generated folder, relative to the app root. */
  outDir: string;
  /** The @durable/core version the handler asserts. */
  coreVersion: string;
  /** The checkpoint table generate resolved for the service: the one its IAM policy allows (backend `dynamodb`). */
  table: string;
  /** The `@aws/durable-execution-sdk-js` version a handler on backend `lambda-durable` asserts. */
  durableSdkVersion: string;
  /** The app's `src/durable.config.ts`, relative to the app root (see `findHandlerConfig`), when it has one. */
  configFile?: string | undefined;
}

/**
 * `handlers/<service>.ts`: the Lambda entry point of a service. A new
 * instance per invocation (createHandler does it), envelope parsing and
 * dispatch (createHandler), the checkpoint table its policy allows, the app's
 * own options from `src/durable.config.ts` when it has one, child invokes over
 * Lambda, and first of all the check that the bundled runtime is the one this
 * file was generated for. A service on backend `lambda-durable` gets the
 * handler of Lambda durable functions instead (see {@link emitLambdaDurableHandler}).
 */
export function emitHandler(service: ServiceModel, options: HandlerEmitOptions): string {
  if (backendOf(service) === 'lambda-durable') return emitLambdaDurableHandler(service, options);
  const { outDir, coreVersion, table, configFile } = options;
  const handlersDir = `${outDir}/handlers`;
  const invokes = service.invokes.length > 0;
  const coreImports = [
    'assertCoreVersion',
    ...(configFile === undefined ? [] : ['configuredHandlerOptions']),
    'createHandler',
  ];
  const handlerOptions = [
    ...(configFile === undefined
      ? []
      : [
          `  // The app's own options (logger, observer, limits) from ${configFile}.`,
          `  ...configuredHandlerOptions(durableConfig, ${service.className}),`,
        ]),
    `  // The table durable-gen generate resolved, the only one iam/${service.name}.json allows.`,
    `  table: ${quoted(table)},`,
    ...(invokes ? ['  invoker: new LambdaInvoker(),'] : []),
    '  // The sweeper (its schedule sends { durableSweep: 1 }) resumes due executions on their pinned versions.',
    '  resumer: new LambdaResumer(),',
  ];
  const lines = [
    generatedHeader(service.source, `class ${service.className}`),
    `import { ${coreImports.join(', ')} } from '@durable/core';`,
    `import { ${invokes ? 'LambdaInvoker, ' : ''}LambdaResumer } from '@durable/core/lambda';`,
    ...(configFile === undefined ? [] : [`import durableConfig from '${importPath(handlersDir, configFile)}';`]),
    `import { ${service.className} } from '${importPath(handlersDir, service.source)}';`,
    '',
    '// The bundled @durable/core must be the version this handler was generated against: its journal format and',
    '// replay rules are what running executions were recorded with.',
    `assertCoreVersion('${coreVersion}');`,
    '',
    `/** Lambda entry point of service '${service.name}' (workflows: ${service.workflows.map((w) => w.name).join(', ')}). */`,
    `export const handler = createHandler(${service.className}, {`,
    ...handlerOptions,
    '});',
    '',
  ];
  return lines.join('\n');
}

/**
 * The handler of a service on backend `lambda-durable`: the SDK's handler (`createDurableHandler`), after the
 * checks that the bundled core and the bundled SDK are the versions it was generated against. Nothing of the
 * dynamodb backend: no table, invoker or sweeper, since the service keeps the journal, runs `ctx.invoke` as its
 * own chained invoke and resumes its executions itself.
 */
function emitLambdaDurableHandler(service: ServiceModel, options: HandlerEmitOptions): string {
  const { outDir, coreVersion, durableSdkVersion, configFile } = options;
  const handlersDir = `${outDir}/handlers`;
  const coreImports = ['assertCoreVersion', ...(configFile === undefined ? [] : ['configuredHandlerOptions'])];
  const workflows = service.workflows.map((w) => w.name).join(', ');
  const handler =
    configFile === undefined
      ? [`export const handler = createDurableHandler(${service.className});`]
      : [
          `export const handler = createDurableHandler(${service.className}, {`,
          `  // The app's own options (logger, limits) from ${configFile}.`,
          `  ...configuredHandlerOptions(durableConfig, ${service.className}),`,
          '});',
        ];
  const lines = [
    generatedHeader(service.source, `class ${service.className}`),
    `import { ${coreImports.join(', ')} } from '@durable/core';`,
    "import { assertDurableSdkVersion, createDurableHandler } from '@durable/core/lambda-durable';",
    ...(configFile === undefined ? [] : [`import durableConfig from '${importPath(handlersDir, configFile)}';`]),
    `import { ${service.className} } from '${importPath(handlersDir, service.source)}';`,
    '',
    '// The bundled @durable/core must be the version this handler was generated against: its journal format and',
    '// replay rules are what running executions were recorded with.',
    `assertCoreVersion('${coreVersion}');`,
    '// The same for the Lambda durable functions SDK it runs on: the copy bundled with it, the one @durable/core',
    "// pins, never the Lambda runtime's own (which AWS updates while executions are running).",
    `assertDurableSdkVersion('${durableSdkVersion}');`,
    '',
    '/**',
    ` * Lambda entry point of service '${service.name}' (workflows: ${workflows}), on Lambda durable functions.`,
    ' * No table, invoker or sweeper: the service keeps the journal, runs the invokes and resumes executions itself.',
    ' * (`createDurableHandler` is `createHandler` with backend lambda-durable, without the dynamodb engine.)',
    ' */',
    ...handler,
    '',
  ];
  return lines.join('\n');
}

/** `text` as a single-quoted TypeScript string literal. */
function quoted(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
