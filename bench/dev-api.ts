/**
 * `durable-gen dev`, the local Lambda API, measured from the outside with the real `@aws-sdk/client-lambda`:
 * a warm RequestResponse invoke of a trivial function beside the floor (the same client and command against a
 * canned server, canned-lambda.ts), interleaved invoke by invoke so that a slow spell of the machine falls on
 * both; and the cold start of new versions (a child process started, the handler imported) beside warm invokes
 * of the same versions, for a trivial function and for the sample app's bundled handlers.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { startDevServer } from '../packages/cli/src/dev/dev-server.js';
import { DEFAULT_TABLE, DynamoDbStore, sweepEvent } from '../packages/core/src/index.js';
import { localClient } from '../test/support/dynamodb-servers.js';
import { startCannedLambda } from './canned-lambda.js';
import { echoZip, invokeTimed, lambdaClient, publishVersions, remarkedZip } from './dev-functions.js';
import { median, percentile } from './harness.js';
import type { SampleBundles } from './tooling.js';
import { scratchFolder } from './work-folder.js';

/** The trivial function's event, and so its answer: the canned server answers these bytes. */
const EVENT = JSON.stringify({ bench: 'warm invoke', items: [1, 2, 3] });
/** Invokes of each side before any is measured: the JIT, the sockets kept alive, the child's first calls. */
const WARM_UP_INVOKES = 100;
/** Versions of the trivial function, each a new zip, cold-started one after another. */
const ECHO_VERSIONS = 5;
/** Versions of each sample handler: each cold start takes 0.1–0.3 s. */
const SAMPLE_VERSIONS = 3;
/** Warm invokes of each version after its cold one, for the warm figure beside it. */
export const WARM_INVOKES_PER_VERSION = 20;
/** The dev log lines an error message carries: the function's own lines say why it failed. */
const LOG_TAIL_LINES = 30;

/** Median and 95th percentile of one side's invokes, in ms. */
export interface Latency {
  medianMs: number;
  p95Ms: number;
}

/** The warm invokes of `fn:1` on dev and on the canned server, interleaved. */
export interface WarmInvokes {
  /** Measured invokes of each side. */
  invokes: number;
  dev: Latency;
  floor: Latency;
}

/** The cold starts of one function's versions on dev, and warm invokes of the same versions. */
export interface ColdStarts {
  /** `echo` (the trivial function) or the sample service's name. */
  function: string;
  /** What each invoke sent: the trivial function's event, or the sweep event of a sample service. */
  event: 'echo' | 'sweep';
  versions: number;
  /** Size of one version's zip. */
  zipBytes: number;
  /** Median over the versions of the first invoke, as the client sees it. */
  coldMs: number;
  /** Median over the versions of dev's `Init Duration` (REPORT line): the child's start and the import. */
  initMs: number;
  /** Median over the versions of each one's median warm invoke. */
  warmMs: number;
}

/** What the dev section reports. */
export interface DevApiFigures {
  warm: WarmInvokes;
  coldStarts: ColdStarts[];
}

/**
 * Starts a dev server (in a scratch app folder) and the canned server, measures, and closes both. `invokes`
 * measured warm invokes per side; `sample`, when it was built, adds the cold starts of its handlers.
 */
export async function measureDevApi(options: {
  invokes: number;
  sample: SampleBundles | undefined;
}): Promise<DevApiFigures> {
  const root = scratchFolder('dev-');
  const log: string[] = [];
  const closers: (() => Promise<void>)[] = [async () => rmSync(root, { recursive: true, force: true })];
  try {
    const dev = await startDevServer({
      root,
      port: 0,
      // Pending time is no part of what is measured; the waiters still run and pass on their first look.
      pendingMs: 0,
      // The bench's functions carry no service tag, so the sweeper has nothing to run; it must not run them.
      sweepIntervalMs: 3_600_000,
      log: (line) => {
        log.push(line);
        if (log.length > LOG_TAIL_LINES) log.shift();
      },
    });
    closers.push(() => dev.close());
    const lambda = lambdaClient(dev.url);
    closers.push(async () => lambda.destroy());
    const canned = await startCannedLambda(EVENT);
    closers.push(() => canned.close());
    const floor = lambdaClient(canned.url);
    closers.push(async () => floor.destroy());

    try {
      const echoZips = Array.from({ length: ECHO_VERSIONS }, (_, index) => echoZip(index + 1));
      const versions = await publishVersions(lambda, { functionName: 'fn' }, echoZips);
      const coldStarts = [
        await coldStartsOf(lambda, 'fn', versions, EVENT, {
          event: 'echo',
          zipBytes: echoZips[0]!.length,
          isAnswer: (payload) => payload === EVENT,
        }),
      ];
      // Version 1 is warm by now: its cold start was the first of the row above.
      const warm = await warmInvokes(lambda, floor, options.invokes);
      if (canned.requests !== WARM_UP_INVOKES + options.invokes) {
        throw new Error(
          `the canned server answered ${canned.requests} invokes, not ${WARM_UP_INVOKES + options.invokes}`,
        );
      }
      if (options.sample !== undefined) coldStarts.push(...(await sampleColdStarts(dev.url, lambda, options.sample)));
      return { warm, coldStarts };
    } catch (error) {
      throw new Error(`${(error as Error).message}\ndev's last log lines:\n${log.join('\n')}`, { cause: error });
    }
  } finally {
    // Each closer runs even when one before it failed: no child process or folder may outlive the run.
    for (const close of closers.reverse()) {
      await close().catch((error: unknown) => console.error(`durable-gen dev section, closing: ${String(error)}`));
    }
  }
}

/** `fn:1` on dev and on the canned server, one invoke of each in turn, the side going first alternating. */
async function warmInvokes(dev: LambdaClient, floor: LambdaClient, invokes: number): Promise<WarmInvokes> {
  const sides = [
    { client: dev, times: [] as number[] },
    { client: floor, times: [] as number[] },
  ];
  for (let i = 0; i < WARM_UP_INVOKES + invokes; i++) {
    for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
      const answer = await invokeTimed(side.client, 'fn:1', EVENT);
      if (answer.payload !== EVENT || answer.executedVersion !== '1') {
        throw new Error(`fn:1 answered ${answer.payload} from version ${answer.executedVersion}, not its event`);
      }
      if (i >= WARM_UP_INVOKES) side.times.push(answer.ms);
    }
  }
  const [onDev, onFloor] = sides.map(({ times }) => ({ medianMs: median(times), p95Ms: percentile(times, 0.95) }));
  return { invokes, dev: onDev!, floor: onFloor! };
}

/** For each version in turn: its first invoke (with dev's REPORT line), then warm ones. */
async function coldStartsOf(
  lambda: LambdaClient,
  functionName: string,
  versions: readonly string[],
  payload: string,
  about: Pick<ColdStarts, 'event' | 'zipBytes'> & { isAnswer(payload: string): boolean },
): Promise<ColdStarts> {
  const { isAnswer, ...described } = about;
  const cold: number[] = [];
  const init: number[] = [];
  const warm: number[] = [];
  for (const version of versions) {
    const qualifiedName = `${functionName}:${version}`;
    const first = await invokeTimed(lambda, qualifiedName, payload, true);
    if (!isAnswer(first.payload)) throw new Error(`${qualifiedName} answered ${first.payload.slice(0, 500)}`);
    if (first.initMs === undefined) throw new Error(`the first invoke of ${qualifiedName} reported no Init Duration`);
    cold.push(first.ms);
    init.push(first.initMs);
    const again: number[] = [];
    for (let i = 0; i < WARM_INVOKES_PER_VERSION; i++)
      again.push((await invokeTimed(lambda, qualifiedName, payload)).ms);
    warm.push(median(again));
  }
  return {
    function: functionName,
    ...described,
    versions: versions.length,
    coldMs: median(cold),
    initMs: median(init),
    warmMs: median(warm),
  };
}

/**
 * Each sample handler as a function of its own with {@link SAMPLE_VERSIONS} versions (the bundle with a comment
 * of its own appended: new code each), invoked with its sweep event, which queries the checkpoint table on dev's
 * DynamoDB and finds nothing due: the cold start of a real bundle, and a request of its own to the store.
 */
async function sampleColdStarts(endpoint: string, lambda: LambdaClient, sample: SampleBundles): Promise<ColdStarts[]> {
  const dynamoDb = localClient(endpoint);
  try {
    await DynamoDbStore.ensureTable(dynamoDb, DEFAULT_TABLE);
  } finally {
    dynamoDb.destroy();
  }
  const figures: ColdStarts[] = [];
  for (const { service } of sample.bundles) {
    const bundle = new Uint8Array(readFileSync(sample.zips.get(service)!));
    const zips = Array.from({ length: SAMPLE_VERSIONS }, (_, index) => remarkedZip(bundle, index + 1));
    const versions = await publishVersions(lambda, { functionName: service }, zips);
    const event = JSON.stringify(sweepEvent(service));
    figures.push(
      await coldStartsOf(lambda, service, versions, event, {
        event: 'sweep',
        zipBytes: zips[0]!.length,
        // Nothing is due on a fresh table: the sweep finds nothing and says so.
        isAnswer: (payload) => (JSON.parse(payload) as { status?: unknown }).status === 'SWEPT',
      }),
    );
  }
  return figures;
}
