/**
 * What every system's benchmark shares: the workload (N sequential steps with ~40-byte results), how rounds are
 * summarised (one warm-up round, then the median of the measured ones), and the process each job runs in: one per
 * job, so that its peak RSS is its own, driven round by round so that the rounds of all jobs can be interleaved
 * (a slow spell of the machine, or a server still warming up, then falls on every system alike).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The systems compared; `durable` is this project. */
export type SystemName = 'durable' | 'diy' | 'powertools' | 'aws-sdk-runner' | 'aws-sdk-engine';

/**
 * Where a system keeps its state: `memory` (in the process), `dynalite` and `dynamodb-local` (the local DynamoDB
 * servers the bench starts once per run), `local-runner` (the AWS SDK test runner's checkpoint server, a worker
 * thread).
 */
export type StoreName = 'memory' | 'dynalite' | 'dynamodb-local' | 'local-runner';

/** Stores served over HTTP by a local DynamoDB server. */
export const DYNAMODB_STORES = ['dynalite', 'dynamodb-local'] as const satisfies readonly StoreName[];

/**
 * durable only, a `createHandler` option other than the defaults: `pipelined` turns on `pipelineCheckpoints` (a
 * step's write overlaps the next step); `lambda-durable` is the backend of that name (the adapter on the official
 * SDK), on the in-memory checkpoint API `aws-sdk-engine` runs on.
 */
export type Variant = 'pipelined' | 'lambda-durable';

/** One system on one store at one N. */
export interface Job {
  system: SystemName;
  store: StoreName;
  n: number;
  /** The DynamoDB endpoint, for the DynamoDB stores. */
  endpoint?: string;
  /** Measured rounds, after the warm-up round. */
  runs: number;
  /** durable only: see {@link Variant}. */
  variant?: Variant;
}

/** Requests to the system's backend during one run, by command (`PutItem`, `claim`, `checkpoint`, …). */
export type RequestCounts = Record<string, number>;

/** One round of a job: an execution of N steps, and the resume of one paused after N steps. */
export interface RunTiming {
  /** An execution of N steps, start to finish (one invocation). */
  runMs: number;
  /** The invocation that resumes an execution paused after N steps: it replays them, then finishes. */
  replayMs: number;
  /** Requests made by the execution of {@link runMs}; `undefined` where they cannot be observed. */
  requests: RequestCounts | undefined;
}

/** A system under test: how to measure one job in this process (bench/run.ts says which stores each runs on). */
export interface SystemBench {
  system: SystemName;
  /** Called once in the job's process before any round: clients, tables, test environments. */
  setUp(job: Job): Promise<Rounds>;
}

/** Runs one round of the job on fresh executions; `close` releases what `setUp` made. */
export interface Rounds {
  run(): Promise<RunTiming>;
  close(): Promise<void>;
}

/** One line of the result: the `--json` rows carry exactly these fields. */
export interface Row {
  system: SystemName;
  store: StoreName;
  /** durable only, see {@link Variant}; absent for the defaults. */
  variant?: Variant;
  n: number;
  /** Median over the measured rounds. */
  msPerStep: number;
  /** Requests to the backend per step, the execution's fixed costs (claim, finish) included. */
  requestsPerStep: number | null;
  /** Median over the measured rounds. */
  replayMsPerOp: number;
  /** Peak resident set size of the job's process (the tsx loader and the system's imports included). */
  rssMb: number;
}

/** A row with the request breakdown the table shows. */
export interface Measured extends Row {
  requests: RequestCounts | undefined;
}

/**
 * Measured rounds after the warm-up round: `--quick` takes the issue's minimum, the full run more, because the
 * durable rows are CPU-bound (their writes overlap) and so feel the machine's other work more than the peers'
 * round trips do.
 */
export const QUICK_RUNS = 5;
export const FULL_RUNS = 9;

/** The result of step `i`: 40 bytes, like a small record id or status. */
export function stepResult(i: number): string {
  return `result of step ${i}`.padEnd(40, '.');
}

/** The median of `values` (the upper one for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The `fraction` quantile of `values` by the nearest-rank method (0.95: the value 95 % of them do not exceed). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length))) - 1]!;
}

/** Milliseconds that `work` takes, and what it returned. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** The row of `job` from its measured rounds (requests do not vary from round to round: the last one's). */
export function summarize(job: Job, rounds: readonly RunTiming[], rssMb: number): Measured {
  const requests = rounds.at(-1)?.requests;
  return {
    system: job.system,
    store: job.store,
    ...(job.variant === undefined ? {} : { variant: job.variant }),
    n: job.n,
    msPerStep: median(rounds.map((r) => r.runMs)) / job.n,
    requestsPerStep: requests === undefined ? null : Object.values(requests).reduce((a, b) => a + b, 0) / job.n,
    replayMsPerOp: median(rounds.map((r) => r.replayMs)) / job.n,
    rssMb,
    requests,
  };
}

/** The job's DynamoDB endpoint; a job without one would send its requests to AWS. */
export function endpointOf(job: Job): string {
  if (job.endpoint === undefined) throw new Error(`${job.system} on ${job.store} needs a DynamoDB endpoint`);
  return job.endpoint;
}

/** Fails with a message naming the job when a system did not do what the workload asks. */
export function expectResult(job: string, what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${job}: ${what} was ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

/** What the parent asks a job's process (bench/child.ts). */
export type ParentMessage = { type: 'round' } | { type: 'finish' };
/** What a job's process answers. */
export type ChildMessage =
  | { type: 'ready' }
  | { type: 'round'; timing: RunTiming }
  | { type: 'finished'; rssMb: number };

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * A job's own Node process (bench/child.ts, under tsx with this process's flags and environment): it sets the
 * job up as soon as it starts, then runs one round per {@link round} call. Its stdout goes to our stderr,
 * stdout being kept for the table; a failure rejects the pending call with the job's name.
 */
export class JobProcess {
  readonly #child: ChildProcess;
  readonly #replies: ((message: ChildMessage) => void)[] = [];
  readonly #exited: Promise<never>;
  /** Settles once the job is set up. */
  readonly ready: Promise<void>;

  constructor(readonly job: Job) {
    this.#child = spawn(process.execPath, [...process.execArgv, CHILD_ENTRY, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    // Not piped: one pipe per child into stderr would pile up listeners on it.
    this.#child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.#child.on('message', (message: ChildMessage) => this.#replies.shift()?.(message));
    this.#exited = new Promise((_, reject) => {
      const fail = (why: string) => reject(new Error(`${describeJob(job)}: ${why}`));
      this.#child.on('error', (error) => fail(error.message));
      this.#child.on('exit', (code, signal) => fail(`its process exited with ${signal ?? code}`));
    });
    this.#exited.catch(() => {});
    this.ready = this.#next().then(() => undefined);
  }

  /** Runs one round in the job's process. */
  async round(): Promise<RunTiming> {
    const reply = this.#next();
    this.#send({ type: 'round' });
    const message = await reply;
    if (message.type !== 'round') throw new Error(`${describeJob(this.job)}: unexpected ${message.type}`);
    return message.timing;
  }

  /** Ends the job's process; resolves with its peak RSS in MB. */
  async finish(): Promise<number> {
    const reply = this.#next();
    this.#send({ type: 'finish' });
    const message = await reply;
    if (message.type !== 'finished') throw new Error(`${describeJob(this.job)}: unexpected ${message.type}`);
    return message.rssMb;
  }

  /** Stops the process of a job that failed. */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill();
  }

  #next(): Promise<ChildMessage> {
    return Promise.race([new Promise<ChildMessage>((resolve) => this.#replies.push(resolve)), this.#exited]);
  }

  #send(message: ParentMessage): void {
    this.#child.send(message);
  }
}

/**
 * Starts a process for each job; they set up at once (setting up is not measured). Resolves with those that
 * are ready; a job that fails is reported to `onFailure` and left out.
 */
export async function startJobs(jobs: readonly Job[], onFailure: (error: unknown) => void): Promise<JobProcess[]> {
  const outcomes = await Promise.allSettled(
    jobs.map(async (job) => {
      const process = new JobProcess(job);
      try {
        await process.ready;
        return process;
      } catch (error) {
        process.kill();
        throw error;
      }
    }),
  );
  return outcomes.flatMap((outcome) => {
    if (outcome.status === 'fulfilled') return [outcome.value];
    onFailure(outcome.reason);
    return [];
  });
}

/**
 * Runs round after round, each round going through every job in turn (the warm-up round, then the job's `runs`
 * measured ones), then ends the processes and summarises each job. A job that fails is reported to
 * `onFailure` and left out; the others go on.
 */
export async function runRounds(
  processes: readonly JobProcess[],
  onFailure: (error: unknown) => void,
): Promise<Measured[]> {
  const running = new Map(processes.map((process): [JobProcess, RunTiming[]] => [process, []]));
  const runs = Math.max(...processes.map((process) => process.job.runs));
  for (let round = 0; round <= runs; round++) {
    for (const [process, rounds] of running) {
      try {
        const timing = await process.round();
        if (round > 0) rounds.push(timing);
      } catch (error) {
        onFailure(error);
        process.kill();
        running.delete(process);
      }
    }
  }
  const rows: Measured[] = [];
  for (const [process, rounds] of running) {
    try {
      rows.push(summarize(process.job, rounds, await process.finish()));
    } catch (error) {
      onFailure(error);
      process.kill();
    }
  }
  return rows;
}

/** `durable on dynalite, N = 100`. */
export function describeJob(job: Pick<Job, 'system' | 'variant' | 'store' | 'n'>): string {
  return `${job.system}${job.variant === undefined ? '' : ` (${job.variant})`} on ${job.store}, N = ${job.n}`;
}
