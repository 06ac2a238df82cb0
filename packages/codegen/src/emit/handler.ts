import type { ServiceModel } from '../model.js';
import { generatedHeader, importPath } from './names.js';

/**
 * `handlers/<service>.ts`: the Lambda entry point of a service. A new
 * instance per invocation (createHandler does it), envelope parsing and
 * dispatch (createHandler), child invokes over Lambda, and first of all the
 * check that the bundled runtime is the one this file was generated for.
 */
export function emitHandler(service: ServiceModel, outDir: string, coreVersion: string): string {
  const invokes = service.invokes.length > 0;
  const lines = [
    generatedHeader(service.source, `class ${service.className}`),
    `import { assertCoreVersion, createHandler } from '@durable/core';`,
    ...(invokes ? [`import { LambdaInvoker } from '@durable/core/lambda';`] : []),
    `import { ${service.className} } from '${importPath(`${outDir}/handlers`, service.source)}';`,
    '',
    '// The bundled @durable/core must be the version this handler was generated against: its journal format and',
    '// replay rules are what running executions were recorded with.',
    `assertCoreVersion('${coreVersion}');`,
    '',
    `/** Lambda entry point of service '${service.name}' (workflows: ${service.workflows.map((w) => w.name).join(', ')}). */`,
    invokes
      ? `export const handler = createHandler(${service.className}, { invoker: new LambdaInvoker() });`
      : `export const handler = createHandler(${service.className});`,
    '',
  ];
  return lines.join('\n');
}
