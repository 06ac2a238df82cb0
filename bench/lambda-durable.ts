/**
 * The `lambda-durable` backend (`@durable/core/lambda-durable`: this project's adapter on the official SDK) beside
 * what it stands on and what it replaces:
 *
 * - its engine against the SDK alone: `durable (lambda-durable)` and `aws-sdk-engine`, the same workload on the
 *   same in-memory checkpoint API (systems/durable-lambda.ts, systems/memory-checkpoint-api.ts), run in the
 *   peers' rounds; this file writes their table;
 * - its handler against the `dynamodb` backend's: one small class for each backend in a scratch app, put through
 *   codegen's `generate` and `bundle` as a user's app is (the handlers it emits, minified ESM with its banner),
 *   weighed (bytes, gzip, zip) and imported cold in fresh Node processes (tooling.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fixed, ratio } from './format.js';
import type { Measured } from './harness.js';
import { bundleScratchApp, measureColdImports } from './tooling.js';

/** The backends compared, the one the adapter replaces first. */
const BACKENDS = ['dynamodb', 'lambda-durable'] as const;
type BackendName = (typeof BACKENDS)[number];

/** The scratch app's service for each backend: the same class, its name and backend aside. */
const SERVICES: Record<BackendName, { service: string; className: string }> = {
  dynamodb: { service: 'orders-dynamodb', className: 'DynamoDbOrders' },
  'lambda-durable': { service: 'orders-lambda-durable', className: 'LambdaDurableOrders' },
};

/** One backend's bundled handler. */
export interface BackendBundleFigure {
  backend: BackendName;
  service: string;
  /** The minified `index.mjs`. */
  bundleBytes: number;
  /** The same, gzipped (zlib's default level): what it weighs on the wire. */
  gzipBytes: number;
  /** The deployable zip codegen writes. */
  zipBytes: number;
  /** Median time of `await import(index.mjs)` in a fresh Node process. */
  coldImportMs: number;
}

/** The two handlers, bundled in a scratch folder; `dispose` removes it. */
export interface BackendBundles {
  bundles: Omit<BackendBundleFigure, 'coldImportMs'>[];
  /** The `index.mjs` of each bundle, by service. */
  entries: Map<string, string>;
  dispose(): void;
}

/** Writes the small app (a service per backend), generates and bundles it. */
export async function buildBackendBundles(): Promise<BackendBundles> {
  const app = await bundleScratchApp('backends', (src) => {
    mkdirSync(src, { recursive: true });
    for (const backend of BACKENDS) {
      writeFileSync(path.join(src, `${SERVICES[backend].service}.ts`), serviceSource(backend));
    }
  });
  const bundles = BACKENDS.map((backend) => {
    const { service } = SERVICES[backend];
    const bundle = app.bundles.find((built) => built.service === service);
    if (bundle === undefined) throw new Error(`codegen's bundle made no handler for service '${service}'`);
    const gzipBytes = gzipSync(readFileSync(app.entries.get(service)!)).byteLength;
    return { backend, ...bundle, gzipBytes };
  });
  return { bundles, entries: app.entries, dispose: app.dispose };
}

/** Each handler's cold import, the two taking turns. */
export function measureBackendBundles(built: BackendBundles): Promise<BackendBundleFigure[]> {
  return measureColdImports(built);
}

/**
 * A small service as a user writes it: one workflow of two steps. Only its name and `backend` differ between the
 * two; the handler codegen emits for it is what differs most (`createHandler` with a table and the sweeper's
 * resumer, or `createDurableHandler`).
 */
function serviceSource(backend: BackendName): string {
  const { service, className } = SERVICES[backend];
  return `import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Places an order: charges it, then confirms it. */
@DurableService({ name: '${service}', backend: '${backend}' })
export class ${className} {
  @Workflow()
  async place(_ctx: DurableContext, order: { id: string; amount: number }): Promise<string> {
    const receipt = await this.charge(order.id, order.amount);
    await this.confirm(order.id, receipt);
    return receipt;
  }

  @Step()
  async charge(id: string, amount: number): Promise<string> {
    return \`receipt of \${id} for \${amount}\`;
  }

  @Step()
  async confirm(id: string, receipt: string): Promise<void> {
    if (receipt === '') throw new Error(\`no receipt for \${id}\`);
  }
}
`;
}

/** Whether `row` is the adapter's (durable on backend lambda-durable). */
export function isLambdaDurableRow(row: Pick<Measured, 'system' | 'variant'>): boolean {
  return row.system === 'durable' && row.variant === 'lambda-durable';
}

/**
 * The section "The lambda-durable backend" of the output: the adapter against the SDK alone (from the measured
 * rows), then a handler per backend (empty `bundles`: that part failed, as the Failed section says).
 */
export function lambdaDurableSection(rows: readonly Measured[], bundles: readonly BackendBundleFigure[]): string {
  return (
    'The engine: the workload of the peers table written once as a decorated class and run through the adapter ' +
    '(`createDurableHandler`), and once directly against the SDK (`aws-sdk-engine`), on the same in-memory ' +
    'checkpoint API, in the same rounds as the peers.\n\n' +
    `${adapterTable(rows)}\n\n` +
    "÷: the adapter's figure divided by the SDK's: above 1, what the adapter adds (such as an argument " +
    'hash per operation, checked on replay, and its value envelope). Replay: the resume of an execution that waited ' +
    'an hour after N steps, with the whole recorded state, as the service sends it.\n\n' +
    'The handler: one small class (a workflow of two steps) for each backend, put through `generate` and ' +
    "`bundle` (minified ESM, codegen's settings); the cold import is `await import()` of its `index.mjs` in a " +
    'fresh Node process, the two taking turns.\n\n' +
    (bundles.length === 0 ? 'Failed: see the Failed section.' : backendBundleTable(bundles))
  );
}

/**
 * The adapter against the SDK alone, at each N: `durable (lambda-durable)`, then `aws-sdk-engine` with ÷ = the
 * adapter's figure divided by the SDK's (the peers table's convention: durable's figure over the row's).
 */
function adapterTable(measured: readonly Measured[]): string {
  const lines = [
    '| N | system | ms/step | ÷ | checkpoint calls per execution | replay ms/op | ÷ | peak RSS MB |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  const sizes = [...new Set(measured.map((row) => row.n))];
  for (const n of sizes) {
    const adapter = measured.find((row) => row.n === n && isLambdaDurableRow(row));
    const sdk = measured.find((row) => row.n === n && row.system === 'aws-sdk-engine');
    for (const row of [adapter, sdk]) {
      if (row === undefined) continue;
      const isAdapter = row === adapter;
      lines.push(
        `| ${n} | ${isAdapter ? 'durable (lambda-durable)' : row.system} | ${fixed(row.msPerStep)} | ` +
          `${isAdapter ? '' : ratio(adapter?.msPerStep, row.msPerStep)} | ${row.requests?.checkpoint ?? '—'} | ` +
          `${fixed(row.replayMsPerOp)} | ${isAdapter ? '' : ratio(adapter?.replayMsPerOp, row.replayMsPerOp)} | ` +
          `${Math.round(row.rssMb)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The two handlers, the dynamodb backend's first, then the ratios lambda-durable / dynamodb. */
function backendBundleTable(figures: readonly BackendBundleFigure[]): string {
  const lines = [
    '| handler | backend | index.mjs bytes | gzip bytes | zip bytes | cold import ms (median of 5) |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const figure of figures) {
    lines.push(
      `| \`${figure.service}\` | ${figure.backend} | ${bytes(figure.bundleBytes)} | ${bytes(figure.gzipBytes)} | ` +
        `${bytes(figure.zipBytes)} | ${fixed(figure.coldImportMs)} |`,
    );
  }
  const dynamodb = figures.find((figure) => figure.backend === 'dynamodb');
  const native = figures.find((figure) => figure.backend === 'lambda-durable');
  if (dynamodb !== undefined && native !== undefined) {
    lines.push(
      `| ÷ lambda-durable / dynamodb | | ${ratio(native.bundleBytes, dynamodb.bundleBytes)} | ` +
        `${ratio(native.gzipBytes, dynamodb.gzipBytes)} | ${ratio(native.zipBytes, dynamodb.zipBytes)} | ` +
        `${ratio(native.coldImportMs, dynamodb.coldImportMs)} |`,
    );
  }
  return lines.join('\n');
}

/** `611,953`: exact, readable. */
function bytes(count: number): string {
  return count.toLocaleString('en-US');
}
