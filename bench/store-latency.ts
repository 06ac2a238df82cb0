/**
 * Per-step cost of the engine on each store: ms per step (median of 5 runs
 * after a warm-up), DynamoDB requests per step, and the cost of replaying a
 * recorded step. Run: `npx tsx bench/store-latency.ts [--steps N]`.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  DynamoDbStore,
  MemoryStore,
  Step,
  Workflow,
} from '../packages/core/src/index.js';
import {
  type LocalDynamoDb,
  localClient,
  startDynalite,
  startDynamoDbLocal,
} from '../test/support/dynamodb-servers.js';
import { RequestCounter } from '../test/support/request-counter.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { steps: { type: 'string', default: '100' } } });
const steps = Number(values.steps);

@DurableService({ name: 'bench' })
class BenchService {
  @Workflow()
  async run(ctx: DurableContext, input: { steps: number; pause: boolean }): Promise<number> {
    let sum = 0;
    for (let i = 0; i < input.steps; i++) sum += (await this.step(i)).length;
    if (input.pause) await ctx.sleep('pause', { hours: 1 });
    return sum;
  }

  @Step()
  async step(i: number): Promise<string> {
    return `result ${i} of forty bytes or so........`;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(store: CheckpointStore, counter?: RequestCounter) {
  let clock = Date.now();
  const handler = createHandler(BenchService, { store, now: () => clock });
  const lambdaContext = { getRemainingTimeInMillis: () => 600_000 };
  await handler({ executionId: randomUUID(), input: { steps, pause: false } }); // warm-up
  const runs: number[] = [];
  const replays: number[] = [];
  let requests = 0;
  for (let run = 0; run < 5; run++) {
    const executionId = randomUUID();
    counter?.reset();
    let start = performance.now();
    await handler({ executionId, input: { steps, pause: true } }, lambdaContext);
    runs.push((performance.now() - start) / steps);
    requests = counter?.total() ?? 0;
    clock += 2 * 3_600_000;
    start = performance.now();
    await handler({ executionId }, lambdaContext);
    replays.push((performance.now() - start) / steps);
  }
  return { msPerStep: median(runs), replayMsPerOp: median(replays), requestsPerStep: requests / steps };
}

const servers: LocalDynamoDb[] = [];
try {
  const rows: string[] = [];
  const memory = await measure(new MemoryStore());
  rows.push(row('MemoryStore', memory));
  for (const start of [startDynalite, startDynamoDbLocal]) {
    const server = await start();
    servers.push(server);
    const client = localClient(server.endpoint);
    await DynamoDbStore.createTable(client, 'bench');
    const counter = new RequestCounter(client);
    rows.push(
      row(`DynamoDbStore on ${server.name}`, await measure(new DynamoDbStore({ client, tableName: 'bench' }), counter)),
    );
    client.destroy();
  }
  console.log(`\n${steps} sequential steps, ~40-byte results; median of 5 runs after a warm-up\n`);
  console.log('| store | ms/step | requests/step (incl. claim, sleep, suspend) | replay ms/op |');
  console.log('|---|---:|---:|---:|');
  for (const line of rows) console.log(line);
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}

function row(name: string, m: { msPerStep: number; replayMsPerOp: number; requestsPerStep: number }): string {
  return `| ${name} | ${m.msPerStep.toFixed(3)} | ${m.requestsPerStep.toFixed(2)} | ${m.replayMsPerOp.toFixed(4)} |`;
}
