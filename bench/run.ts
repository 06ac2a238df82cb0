/**
 * `npm run bench`: this project against its peers, in one run, as markdown tables on stdout (progress goes to
 * stderr). bench/README.md says what each column means and how each peer is set up.
 *
 * Flags: `--quick` (N = 100 only, without the 200-service generate/check timings: about a minute),
 * `--json FILE` (the peer rows, the dev figures and the backends' bundles as JSON).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { LocalDynamoDb } from '../test/support/dynamodb-servers.js';
import { type DevApiFigures, measureDevApi, WARM_INVOKES_PER_VERSION } from './dev-api.js';
import { fixed, kb, ratio } from './format.js';
import {
  DYNAMODB_STORES,
  describeJob,
  FULL_RUNS,
  type Job,
  type Measured,
  QUICK_RUNS,
  type Row,
  runRounds,
  type StoreName,
  type SystemName,
  startJobs,
  timed,
  type Variant,
} from './harness.js';
import {
  type BackendBundleFigure,
  type BackendBundles,
  buildBackendBundles,
  isLambdaDurableRow,
  lambdaDurableSection,
  measureBackendBundles,
} from './lambda-durable.js';
import { startServers, warmUp } from './servers.js';
import {
  type BundleFigure,
  buildSampleBundles,
  measureColdImports,
  type SampleBundles,
  timeScript,
} from './tooling.js';

const USAGE = 'usage: npm run bench -- [--quick] [--json FILE]';
/** Warm-up requests for DynamoDB Local (see servers.ts); --quick has less time to spend on it. */
const FULL_WARM_UP = 6_000;
const QUICK_WARM_UP = 1_000;
/** Measured warm invokes of each side of the dev rows: ~3 ms each on a busy 2-core machine, the pair ~6 ms. */
const FULL_DEV_INVOKES = 1_000;
const QUICK_DEV_INVOKES = 300;

/** Which stores each system runs on, in table order. */
const PLAN: ReadonlyArray<{ system: SystemName; stores: readonly StoreName[]; variant?: Variant }> = [
  { system: 'durable', stores: ['memory', ...DYNAMODB_STORES] },
  // The same engine with the opt-in speed mode (createHandler's pipelineCheckpoints: true): a step's write overlaps
  // the next step. The defaults above are strict: each step waits for its own write.
  { system: 'durable', stores: DYNAMODB_STORES, variant: 'pipelined' },
  // The same class on the lambda-durable backend (the adapter on the official SDK), on the in-memory checkpoint API
  // aws-sdk-engine runs on: their own table gives the adapter's overhead.
  { system: 'durable', stores: ['memory'], variant: 'lambda-durable' },
  { system: 'aws-sdk-engine', stores: ['memory'] },
  { system: 'aws-sdk-runner', stores: ['local-runner'] },
  { system: 'diy', stores: DYNAMODB_STORES },
  { system: 'powertools', stores: DYNAMODB_STORES },
];

let options: { quick: boolean; json: string | undefined };
try {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
  options = { quick: values.quick, json: values.json };
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}

// Children inherit the environment: the AWS SDK's Node 20 deprecation notice would otherwise repeat in each.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The durable rows are createHandler's defaults: a setting from the shell must not change them unseen.
delete process.env.DURABLE_PIPELINE_CHECKPOINTS;
const sizes = options.quick ? [100] : [10, 100, 1000];
/** Nine rounds where a round is short; N = 1000 rounds take ~50 s each (Powertools alone ~12 s), five do. */
const runsFor = (n: number): number => (options.quick || n >= 1000 ? QUICK_RUNS : FULL_RUNS);
const failures: string[] = [];
// Other work on the machine skews every figure: the output says how busy it was.
const loadAtStart = loadavg()[0]!;

let servers: LocalDynamoDb[] = [];
let sample: SampleBundles | undefined;
let backendBundles: BackendBundles | undefined;
const measured: Measured[] = [];
// Bundled while the servers start and the first jobs set up, before anything is measured; one after the other,
// the machine having two cores.
const bundling = attempt('sample app generated and bundled', buildSampleBundles).then(async (built) => {
  sample = built;
  backendBundles = await attempt('a handler per backend generated and bundled', buildBackendBundles);
});
try {
  servers = await step('local DynamoDB servers started', startServers);
  const dynamoDbLocal = servers.find((server) => server.name === 'dynamodb-local')!;
  for (const [index, n] of sizes.entries()) {
    // --quick keeps to the rows the comparisons need: the pipelined variant is for the full run.
    const plan = options.quick ? PLAN.filter((entry) => entry.variant !== 'pipelined') : PLAN;
    const jobs = plan.flatMap(({ system, stores, variant }) =>
      stores.map((store): Job => {
        const endpoint = servers.find((server) => server.name === store)?.endpoint;
        return {
          system,
          store,
          n,
          runs: runsFor(n),
          ...(endpoint === undefined ? {} : { endpoint }),
          ...(variant === undefined ? {} : { variant }),
        };
      }),
    );
    const starting = startJobs(jobs, fail);
    if (index === 0) {
      // While the first jobs set up, before anything is measured.
      await attempt('DynamoDB Local warmed up', () =>
        warmUp(dynamoDbLocal, options.quick ? QUICK_WARM_UP : FULL_WARM_UP),
      );
      await bundling;
    }
    const rows = await step(`N = ${n} set up and measured`, async () => runRounds(await starting, fail));
    for (const row of rows) {
      console.error(`  ${describeJob(row)}: ${fixed(row.msPerStep)} ms/step, ${fixed(row.replayMsPerOp)} ms/replay`);
    }
    measured.push(...rows);
  }
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}

let tooling: Tooling;
let devApi: DevApiFigures | undefined;
try {
  // After the peers, whose DynamoDB servers are stopped by now, and while the sample bundles still exist.
  devApi = await attempt('durable-gen dev measured', () =>
    measureDevApi({ invokes: options.quick ? QUICK_DEV_INVOKES : FULL_DEV_INVOKES, sample }),
  );
  tooling = {
    generateMs: options.quick ? null : await attempt('generate, 200 services', () => timeScript('generate-200.ts')),
    checkMs: options.quick ? null : await attempt('check, 200 services', () => timeScript('check-200.ts')),
    bundles: sample === undefined ? [] : ((await attempt('cold imports', () => measureColdImports(sample!))) ?? []),
    backendBundles:
      backendBundles === undefined
        ? []
        : ((await attempt('cold imports, a handler per backend', () => measureBackendBundles(backendBundles!))) ?? []),
  };
} finally {
  sample?.dispose();
  backendBundles?.dispose();
}

console.log(
  '\n## Peers: N sequential steps with 40-byte results\n\n' +
    `Median of ${options.quick ? QUICK_RUNS : `${FULL_RUNS} (N ≤ 100) or ${QUICK_RUNS} (N = 1000)`} rounds after a warm-up round; each job in a process of its own, the rounds of all jobs ` +
    `interleaved. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ` +
    `${loadAtStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end.\n`,
);
console.log(peerTable(measured.filter((row) => !isLambdaDurableRow(row))));
console.log(
  "\n÷: durable's figure (defaults) divided by the row's, on the same store and N (below 1: durable is faster); " +
    'aws-sdk-runner is compared with durable on memory. Requests: to DynamoDB on the DynamoDB stores, ' +
    'CheckpointStore calls for durable on memory, checkpoint API calls for aws-sdk-engine; per execution of ' +
    'N steps, its fixed costs (claim, finish) included.',
);
console.log(`\n## The lambda-durable backend\n\n${lambdaDurableSection(measured, tooling.backendBundles)}`);
console.log(`\n## Tooling\n\n${toolingTable(tooling)}`);
if (devApi !== undefined) console.log(`\n## durable-gen dev: the local Lambda API\n\n${devApiTables(devApi)}`);
if (failures.length > 0) {
  console.log(`\n## Failed\n\n${failures.map((failure) => `- ${failure.split('\n')[0]}`).join('\n')}`);
  process.exitCode = 1;
}
if (options.json !== undefined) {
  const rows: Row[] = measured.map(
    ({ system, store, variant, n, msPerStep, requestsPerStep, replayMsPerOp, rssMb }) => ({
      system,
      store,
      ...(variant === undefined ? {} : { variant }),
      n,
      msPerStep,
      requestsPerStep,
      replayMsPerOp,
      rssMb,
    }),
  );
  const figures = { peers: rows, devApi: devApi ?? null, backendBundles: tooling.backendBundles };
  writeFileSync(options.json, `${JSON.stringify(figures, null, 2)}\n`);
}

interface Tooling {
  /** `undefined`: failed; `null`: skipped (--quick). */
  generateMs: number | null | undefined;
  checkMs: number | null | undefined;
  bundles: BundleFigure[];
  /** A handler of one small class per backend (lambda-durable.ts); empty when that failed. */
  backendBundles: BackendBundleFigure[];
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  failures.push(message);
  console.error(message);
}

/** Runs `work`, saying on stderr how long it took. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  const { ms, value } = await timed(work);
  console.error(`${what} (${(ms / 1000).toFixed(1)} s)`);
  return value;
}

/** {@link step}, but a failure is recorded (and the output says so) instead of ending the run. */
async function attempt<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step(what, work);
  } catch (error) {
    fail(new Error(`${what}: ${(error as Error).message}`));
    return undefined;
  }
}

function peerTable(rows: readonly Measured[]): string {
  const lines = [
    '| N | system | store | ms/step | ÷ | requests/step | requests per execution | replay ms/op | ÷ | peak RSS MB |',
    '|---:|---|---|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const row of rows) {
    const durableStore = row.store === 'local-runner' ? 'memory' : row.store;
    const durable = rows.find(
      (r) => r.system === 'durable' && r.variant === undefined && r.n === row.n && r.store === durableStore,
    );
    const isDurable = row.system === 'durable' && row.variant === undefined;
    const system = row.variant === undefined ? row.system : `${row.system} (${row.variant})`;
    lines.push(
      `| ${row.n} | ${system} | ${row.store} | ${fixed(row.msPerStep)} | ` +
        `${isDurable ? '' : ratio(durable?.msPerStep, row.msPerStep)} | ` +
        `${row.requestsPerStep === null ? '—' : row.requestsPerStep.toFixed(2)} | ${breakdown(row.requests)} | ` +
        `${fixed(row.replayMsPerOp)} | ${isDurable ? '' : ratio(durable?.replayMsPerOp, row.replayMsPerOp)} | ` +
        `${Math.round(row.rssMb)} |`,
    );
  }
  return lines.join('\n');
}

function toolingTable(tooling: Tooling): string {
  const ms = (value: number | null | undefined) =>
    value === undefined ? 'failed' : value === null ? 'skipped (--quick)' : `${value} ms`;
  const lines = [
    '| what | figure |',
    '|---|---:|',
    `| generate, 200 services × 10 steps (median of 3, bench/generate-200.ts) | ${ms(tooling.generateMs)} |`,
    `| check, 200 services (median of 3, bench/check-200.ts) | ${ms(tooling.checkMs)} |`,
  ];
  for (const bundle of tooling.bundles) {
    lines.push(
      `| sample handler \`${bundle.service}\`: index.mjs / zip | ${kb(bundle.bundleBytes)} / ${kb(bundle.zipBytes)} |`,
      `| sample handler \`${bundle.service}\`: cold import in a fresh Node process (median of 5) | ` +
        `${fixed(bundle.coldImportMs)} ms |`,
    );
  }
  return lines.join('\n');
}

function devApiTables({ warm, coldStarts }: DevApiFigures): string {
  const lines = [
    `Warm invokes of \`fn:1\` (an \`index.mjs\` that returns its event), RequestResponse, \`@aws-sdk/client-lambda\` ` +
      `InvokeCommand: ${warm.invokes} measured on each side after a warm-up, the two sides taking turns. The ` +
      "floor is the same client sending the same command to bench/canned-lambda.ts, which answers dev's 200 at once.",
    '',
    '| endpoint | median ms | ÷ | p95 ms | ÷ |',
    '|---|---:|---:|---:|---:|',
    `| durable-gen dev | ${fixed(warm.dev.medianMs)} | | ${fixed(warm.dev.p95Ms)} | |`,
    `| floor: canned HTTP server | ${fixed(warm.floor.medianMs)} | ${ratio(warm.dev.medianMs, warm.floor.medianMs)} | ` +
      `${fixed(warm.floor.p95Ms)} | ${ratio(warm.dev.p95Ms, warm.floor.p95Ms)} |`,
    '',
    "÷: dev's figure divided by the floor's: what dev adds to the client's own cost of an invoke.",
    '',
    'Cold starts: versions published through the Lambda API, new code each (the sample bundles with a comment ' +
      `appended), then for each in turn its first invoke (a child process started, the handler imported) and ` +
      `${WARM_INVOKES_PER_VERSION} warm ones. Medians over the versions; Init Duration is dev's REPORT line of the ` +
      'first invoke. The sample rows send the sweep event: it queries the checkpoint table (empty) on dev.',
    '',
    '| function | event | versions | zip | first invoke ms | Init Duration ms | warm invoke ms |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const figure of coldStarts) {
    const isEcho = figure.event === 'echo';
    lines.push(
      `| ${isEcho ? '`fn`: returns its event' : `sample handler \`${figure.function}\``} | ` +
        `${isEcho ? 'its own' : `\`{"durableSweep":1,"service":"${figure.function}"}\``} | ${figure.versions} | ` +
        `${kb(figure.zipBytes)} | ${fixed(figure.coldMs)} | ${fixed(figure.initMs)} | ${fixed(figure.warmMs)} |`,
    );
  }
  return lines.join('\n');
}

function breakdown(requests: Measured['requests']): string {
  if (requests === undefined) return 'not observable';
  return Object.entries(requests)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, count]) => `${command} ${count}`)
    .join(', ');
}
