/**
 * How long `durable-gen generate` takes on a large app: 200 services of 10 steps each, some steps with retry
 * options, every 10th service invoking the next one through its generated client. Prints the median of 3 runs
 * (the first right after importing the generator); the target is at most 5 s.
 *
 * Run: `npx tsx --tsconfig tsconfig.base.json bench/generate-200.ts [--services N] [--steps N]`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { median } from './harness.js';
import { scratchFolder } from './work-folder.js';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '200' }, steps: { type: 'string', default: '10' } },
});
const serviceCount = Number(values.services);
const stepCount = Number(values.steps);
const RUNS = 3;
const STEP_VERBS = [
  'validate',
  'enrich',
  'price',
  'reserve',
  'charge',
  'persist',
  'index',
  'notify',
  'audit',
  'archive',
];

function serviceName(index: number): string {
  return `orders-${String(index).padStart(3, '0')}`;
}

function className(index: number): string {
  return `Orders${String(index).padStart(3, '0')}Service`;
}

function stepMethod(step: number): string {
  return `${STEP_VERBS[step % STEP_VERBS.length]}${step >= STEP_VERBS.length ? Math.floor(step / STEP_VERBS.length) : ''}`;
}

/** The source of service `index`: one workflow calling its steps in order; every 10th also invokes the next service. */
function serviceSource(index: number): string {
  const invoked = index % 10 === 0 && serviceCount > 1 ? (index + 1) % serviceCount : undefined;
  const steps = Array.from({ length: stepCount }, (_, step) => step);
  const lines = ["import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';"];
  if (invoked !== undefined) {
    lines.push(`import { ${className(invoked)}Client } from '../generated/clients/${serviceName(invoked)}.js';`);
  }
  lines.push(
    '',
    'export interface Order {',
    '  id: string;',
    '  amount: number;',
    '  items: string[];',
    '}',
    '',
    `@DurableService({ name: '${serviceName(index)}' })`,
    `export class ${className(index)} {`,
    '  @Workflow()',
    '  async place(ctx: DurableContext, order: Order): Promise<{ id: string; total: number }> {',
    '    let total = order.amount;',
    ...steps.map((step) => `    total = await this.${stepMethod(step)}(order, total);`),
    "    await ctx.sleep('settle', { minutes: 5 });",
    ...(invoked === undefined
      ? []
      : [`    await ${className(invoked)}Client.place(ctx, { id: order.id, amount: total, items: order.items });`]),
    '    return { id: order.id, total };',
    '  }',
  );
  for (const step of steps) {
    const options =
      step % 3 === 1
        ? `{ retry: { maxAttempts: ${3 + (step % 4)}, initialDelayMs: 200, backoffRate: 2, jitter: 'full' } }`
        : step % 5 === 4
          ? "{ semantics: 'at-most-once' }"
          : '';
    lines.push(
      '',
      `  @Step(${options})`,
      `  async ${stepMethod(step)}(order: Order, total: number): Promise<number> {`,
      `    return total + order.items.length * ${step + 1};`,
      '  }',
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

function writeApp(): string {
  const root = scratchFolder('generate-');
  mkdirSync(path.join(root, 'src'));
  for (let index = 0; index < serviceCount; index++) {
    writeFileSync(path.join(root, 'src', `${serviceName(index)}.ts`), serviceSource(index));
  }
  return root;
}

const root = writeApp();
try {
  // Loading ts-morph and the generator is not part of what is measured.
  const { formatDiagnostic, generate } = await import('../packages/codegen/src/index.js');
  const invokers = serviceCount > 1 ? Math.ceil(serviceCount / 10) : 0;
  const timings: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = generate({ root, paths: ['src/**/*.ts'], account: '123456789012', region: 'eu-west-1' });
    timings.push(performance.now() - started);
    const invoking = result.model.services.filter((service) => service.invokes.length > 0).length;
    if (result.diagnostics.length > 0 || result.model.services.length !== serviceCount || invoking !== invokers) {
      console.error(result.diagnostics.map(formatDiagnostic).join('\n'));
      throw new Error(`expected ${serviceCount} services, ${invokers} invoking another, and no diagnostic`);
    }
  }
  console.log(`generate: ${serviceCount} services x ${stepCount} steps in ${Math.round(median(timings))} ms`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
