/**
 * How long `durable-gen check` takes on a large app: 200 services of 10 steps each, as in generate-200.ts, plus
 * what makes the determinism lint work: every workflow goes through methods of its class, local helpers, shared
 * helper modules two imports deep (one through a barrel), inline `ctx.step`, `ctx.parallel` and `ctx.map`. The
 * app is clean, so the check must report nothing. Prints the median of 3 runs (the first right after importing
 * the checker) and the lint's share of it; the target is at most 5 s.
 *
 * Run: `npx tsx --tsconfig tsconfig.base.json bench/check-200.ts [--services N] [--steps N]`.
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
/** Shared helper modules under src/lib/, each calling into the next: the walk goes through all of them. */
const LIB_MODULES = 8;

function pad(index: number): string {
  return String(index).padStart(3, '0');
}

/** A shared helper module: pure functions calling each other and the next module (through the barrel). */
function libSource(module: number): string {
  const next = module + 1 < LIB_MODULES ? module + 1 : undefined;
  const lines = next === undefined ? [] : [`import { normalize${next} } from './index.js';`, ''];
  lines.push(
    `export function normalize${module}(value: string): string {`,
    `  return ${next === undefined ? 'value.trim()' : `normalize${next}(value.trim())`}.toLowerCase();`,
    '}',
    '',
    `export function total${module}(amounts: number[]): number {`,
    `  return amounts.reduce((sum, amount) => sum + round${module}(amount), 0);`,
    '}',
    '',
    `function round${module}(amount: number): number {`,
    '  return Math.round(amount * 100) / 100;',
    '}',
    '',
  );
  return lines.join('\n');
}

function stepMethod(step: number): string {
  return `stage${step}`;
}

/** Service `index`: a workflow through its own helpers and the shared modules, and a batch workflow with branches. */
function serviceSource(index: number): string {
  const lib = index % LIB_MODULES;
  const steps = Array.from({ length: stepCount }, (_, step) => step);
  const lines = [
    "import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';",
    `import { normalize${lib}, total${lib} } from '../lib/index.js';`,
    `import * as lib${lib} from '../lib/module-${lib}.js';`,
    '',
    'export interface Order {',
    '  id: string;',
    '  amounts: number[];',
    '  items: string[];',
    '}',
    '',
    `const SERVICE_LABEL = 'orders-${pad(index)}';`,
    '',
    'function describe(order: Order): string {',
    `  return \`\${SERVICE_LABEL}:\${normalize${lib}(order.id)}:\${summarize(order)}\`;`,
    '}',
    '',
    'function summarize(order: Order): string {',
    `  return order.items.map((item) => normalize${lib}(item)).join(',');`,
    '}',
    '',
    `@DurableService({ name: 'orders-${pad(index)}' })`,
    `export class Orders${pad(index)}Service {`,
    '  @Workflow()',
    '  async place(ctx: DurableContext, order: Order): Promise<{ id: string; total: number }> {',
    `    let total = total${lib}(order.amounts);`,
    '    const label = describe(order);',
    ...steps.map((step) => `    total = await this.${stepMethod(step)}(order, this.adjust(total, ${step}));`),
    '    const receivedAt = await ctx.now();',
    `    await ctx.step('audit', async () => \`\${label}@\${Date.now()}\`);`,
    "    await ctx.sleep('settle', { minutes: 5 });",
    `    ctx.logger.info('placed', { label: lib${lib}.normalize${lib}(label), receivedAt });`,
    '    return { id: order.id, total };',
    '  }',
    '',
    '  @Workflow()',
    '  async batch(ctx: DurableContext, orders: Order[]): Promise<number[]> {',
    "    const totals = await ctx.map('totals', orders, (order, _index, c) =>",
    `      c.step(\`total-\${order.id}\`, async () => total${lib}(order.amounts) * Math.random()),`,
    '    );',
    "    const [first, second] = await ctx.parallel('checks', [",
    `      async (c) => c.step('first', async () => totals[0] ?? 0),`,
    `      async () => this.adjust(totals[1] ?? 0, 1),`,
    '    ]);',
    '    return [first ?? 0, second ?? 0, ...totals];',
    '  }',
    '',
    '  private adjust(total: number, step: number): number {',
    '    return this.cap(total + step);',
    '  }',
    '',
    '  private cap(total: number): number {',
    '    return Math.min(total, 1_000_000);',
    '  }',
  ];
  for (const step of steps) {
    const options = step % 3 === 1 ? '{ retry: { maxAttempts: 3, initialDelayMs: 200, backoffRate: 2 } }' : '';
    lines.push(
      '',
      `  @Step(${options})`,
      `  async ${stepMethod(step)}(order: Order, total: number): Promise<number> {`,
      `    return total + order.items.length * ${step + 1} + Date.now() % 1;`,
      '  }',
    );
  }
  lines.push('}', '');
  return lines.join('\n');
}

function writeApp(): string {
  const root = scratchFolder('check-');
  mkdirSync(path.join(root, 'src', 'lib'), { recursive: true });
  mkdirSync(path.join(root, 'src', 'services'));
  const barrel = Array.from({ length: LIB_MODULES }, (_, module) => `export * from './module-${module}.js';`);
  writeFileSync(path.join(root, 'src', 'lib', 'index.ts'), `${barrel.join('\n')}\n`);
  for (let module = 0; module < LIB_MODULES; module++) {
    writeFileSync(path.join(root, 'src', 'lib', `module-${module}.ts`), libSource(module));
  }
  for (let index = 0; index < serviceCount; index++) {
    writeFileSync(path.join(root, 'src', 'services', `orders-${pad(index)}.ts`), serviceSource(index));
  }
  return root;
}

const root = writeApp();
try {
  // Loading ts-morph and the checker is not part of what is measured.
  const { check, formatDiagnostic, lint, scan } = await import('../packages/codegen/src/index.js');
  const checkTimings: number[] = [];
  const lintTimings: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = check({ root, paths: ['src/**/*.ts'] });
    checkTimings.push(performance.now() - started);
    if (result.diagnostics.length > 0 || result.model.services.length !== serviceCount) {
      console.error(result.diagnostics.map(formatDiagnostic).join('\n'));
      throw new Error(`expected ${serviceCount} services and no diagnostic`);
    }
    // The lint's share: the same walk over a fresh scan.
    const { model, project } = scan({ root, paths: ['src/**/*.ts'] });
    const lintStarted = performance.now();
    lint(project, model);
    lintTimings.push(performance.now() - lintStarted);
  }
  console.log(`check: ${serviceCount} services in ${Math.round(median(checkTimings))} ms`);
  console.log(`  of which the determinism lint: ${Math.round(median(lintTimings))} ms`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
