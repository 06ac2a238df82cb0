import type { ServiceModel } from '../model.js';
import { arnEnvName, clientName, functionNameOf, generatedHeader, importPath } from './names.js';

/**
 * `clients/<service>.ts`: `XClient`, one typed method per workflow. Each call is a checkpointed child execution: `ctx.invoke` with the
 * target's name, workflow and where its qualified ARN comes from (the
 * environment variable set at deploy, else the ARN recorded in the manifest).
 * Input and output types are the workflow's own, taken from the class.
 */
export function emitClient(service: ServiceModel, outDir: string, qualifiedArn: string | undefined): string {
  const name = clientName(service);
  const methods = service.workflows.map((workflow) => {
    const signature = `${service.className}['${workflow.method}']`;
    return [
      `  /** Runs workflow '${workflow.name}' of '${service.name}' as a child execution and resolves with its output. */`,
      `  ${/^[A-Za-z_$][\w$]*$/.test(workflow.name) ? workflow.name : `'${workflow.name}'`}(`,
      '    ctx: DurableContext,',
      `    input: InputOf<${signature}>,`,
      `  ): Promise<Awaited<ReturnType<${signature}>>> {`,
      `    return ctx.invoke({ ...target, workflow: '${workflow.name}' }, input);`,
      '  },',
    ].join('\n');
  });
  return [
    generatedHeader(service.source, `class ${service.className}`),
    `import type { DurableContext } from '@durable/core';`,
    `import type { ${service.className} } from '${importPath(`${outDir}/clients`, service.source)}';`,
    '',
    // Parameters<W>[1] alone does not compile for a workflow without an input parameter.
    '// A workflow takes its input after the DurableContext; void lets callers omit it when the workflow takes none.',
    'type InputOf<Workflow extends (...args: never[]) => unknown> =',
    '  // biome-ignore lint/suspicious/noConfusingVoidType: only a void parameter may be left out by callers',
    '  Parameters<Workflow> extends [unknown, infer Input] ? Input : Parameters<Workflow>[1] | void;',
    '',
    `// Function '${functionNameOf(service)}': over Lambda, calls go to the qualified ARN in ${arnEnvName(service)}`,
    qualifiedArn === undefined
      ? '// (set at deploy; no version is deployed yet). Unqualified, $LATEST and other-account ARNs are refused.'
      : '// when set, else the deployed version below. Unqualified, $LATEST and other-account ARNs are refused.',
    'const target = {',
    `  service: '${service.name}',`,
    `  arnEnv: '${arnEnvName(service)}',`,
    ...(qualifiedArn === undefined ? [] : [`  functionArn: '${qualifiedArn}',`]),
    '};',
    '',
    `/** Typed invoke stubs of service '${service.name}' (class ${service.className}). */`,
    `export const ${name} = {`,
    methods.join('\n\n'),
    '};',
    '',
  ].join('\n');
}
