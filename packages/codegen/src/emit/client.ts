import type { ServiceModel } from '../model.js';
import { arnEnvName, clientName, functionNameOf, generatedHeader, importPath } from './names.js';

/**
 * `clients/<service>.ts`: `XClient`, one typed method per workflow. Each call is a checkpointed child execution: `ctx.invoke` with the
 * target's name, workflow and where its qualified ARN comes from: the
 * environment variable set at deploy, and only it. A deployed ARN is never
 * written into the stub: the stub is bundled into every caller, and a deploy
 * of the target must not change the callers' code (nor make them publish a
 * new version). Input and output types are the workflow's own, taken from the class.
 */
export function emitClient(service: ServiceModel, outDir: string): string {
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
    '// (set at deploy, never written here). Unqualified, $LATEST, other-account and other-region ARNs are refused.',
    'const target = {',
    `  service: '${service.name}',`,
    `  arnEnv: '${arnEnvName(service)}',`,
    '};',
    '',
    `/** Typed invoke stubs of service '${service.name}' (class ${service.className}). */`,
    `export const ${name} = {`,
    methods.join('\n\n'),
    '};',
    '',
  ].join('\n');
}
