import { randomUUID } from 'node:crypto';
import { type SweepResult, sweepEvent } from '@durable/core';
import type { RunOutcome } from './function-runner.js';
import { describeFunctionError } from './lambda-errors.js';

/** A durable function to sweep, as the server lists it. */
export interface SweepTarget {
  functionName: string;
  /** The service the function hosts: the sweep event names it. */
  service: string;
  /** The version (or alias) the sweep runs on: the one deploy schedules, the function's newest published. */
  qualifier: string;
}

/** One sweep, handed to the server's `run` (a RequestResponse invocation through the usual path). */
export interface SweepInvocation {
  functionName: string;
  qualifier: string;
  requestId: string;
  /** `{"durableSweep":1,"service":"<service>"}`, the payload of deploy's schedule. */
  payload: Uint8Array;
}

/** What the loop needs from the server. */
export interface SweeperLoopOptions {
  /** The functions to sweep, read again at every round (functions come and go while dev runs). */
  listDurableFunctions(): SweepTarget[] | Promise<SweepTarget[]>;
  run(invocation: SweepInvocation): Promise<RunOutcome>;
  /** Receives a line when a sweep resumed or failed something, or could not run. */
  log(line: string): void;
  /** Between rounds (default 1000 ms; the deployed schedule runs every minute). */
  intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 1000;

/**
 * The sweeper of `durable-gen dev`, in place of deploy's every-minute schedule: every `intervalMs` it sends each
 * durable function the sweep event, so suspended executions wake and expired leases are taken over. A sweep
 * that stopped at its limit (`more`) is followed by the next at once. One function is never swept twice at the
 * same time: a round skips a function whose sweep is still under way.
 */
export class SweeperLoop {
  private readonly sweeping = new Map<string, Promise<void>>();
  /** The last error logged per function: the same error, every second, is logged once until it changes. */
  private readonly lastErrors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private isClosed = false;

  private constructor(private readonly options: SweeperLoopOptions) {}

  /** Starts the loop; its first round runs at once. */
  static start(options: SweeperLoopOptions): SweeperLoop {
    const loop = new SweeperLoop(options);
    loop.scheduleRound(0);
    return loop;
  }

  /** Stops the loop, and resolves once no sweep is under way. */
  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    await this.round;
    await Promise.all(this.sweeping.values());
  }

  private scheduleRound(delayMs: number): void {
    if (this.isClosed) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
        this.scheduleRound(this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
      });
    }, delayMs);
  }

  private async runRound(): Promise<void> {
    let targets: SweepTarget[];
    try {
      targets = await this.options.listDurableFunctions();
    } catch (error) {
      this.logError('*', `[sweeper] could not list the durable functions: ${messageOf(error)}`);
      return;
    }
    for (const target of targets) {
      if (this.isClosed) return;
      if (this.sweeping.has(target.functionName)) continue;
      const sweep = this.sweepUntilDone(target).finally(() => this.sweeping.delete(target.functionName));
      this.sweeping.set(target.functionName, sweep);
    }
  }

  private async sweepUntilDone(target: SweepTarget): Promise<void> {
    let hasMore = true;
    while (hasMore && !this.isClosed) hasMore = await this.sweepOnce(target);
  }

  /** One sweep; true when it stopped at its limit having resumed something, so another should follow at once. */
  private async sweepOnce(target: SweepTarget): Promise<boolean> {
    const name = `${target.functionName}:${target.qualifier}`;
    let outcome: RunOutcome;
    try {
      outcome = await this.options.run({
        functionName: target.functionName,
        qualifier: target.qualifier,
        requestId: randomUUID(),
        payload: new TextEncoder().encode(JSON.stringify(sweepEvent(target.service))),
      });
    } catch (error) {
      if (!this.isClosed) this.logError(target.functionName, `[sweeper] could not sweep ${name}: ${messageOf(error)}`);
      return false;
    }
    if (outcome.functionError !== undefined) {
      const why = describeFunctionError(outcome.payload);
      // The sweep's own lines were kept quiet; when it fails they say why.
      this.logError(target.functionName, `[sweeper] the sweep of ${name} failed: ${why}`, outcome.log.trimEnd());
      return false;
    }
    const result = sweepResultOf(outcome.payload);
    if (result === undefined) {
      const answer = new TextDecoder().decode(outcome.payload).slice(0, 200);
      this.logError(
        target.functionName,
        `[sweeper] ${name} answered the sweep event with ${answer}, not a sweep result: is its handler generated by durable-gen?`,
      );
      return false;
    }
    this.lastErrors.delete(target.functionName);
    if (result.resumed.length > 0 || result.failed.length > 0) {
      const failed = result.failed[0];
      // Named with the version each went to: the pinned one, whatever the alias the sweep itself ran on.
      const resumed = result.resumed.map(
        ({ executionId, functionArn }) => `${executionId} on ${shortArn(functionArn)}`,
      );
      this.options.log(
        `[sweeper] ${target.service} (swept through ${name}): resumed ${result.resumed.length}` +
          (resumed.length === 0 ? '' : ` (${resumed.slice(0, 5).join(', ')}${resumed.length > 5 ? ', …' : ''})`) +
          (failed === undefined
            ? ''
            : `, could not resume ${result.failed.length} (${failed.executionId}: ${failed.error}); the next sweep tries again`),
      );
    }
    // A full sweep of nothing but failures would only repeat them at once: those wait for the next round.
    return result.more && result.resumed.length > 0;
  }

  /** @param detail Printed under the line the first time, not compared (it holds request ids). */
  private logError(key: string, line: string, detail = ''): void {
    if (this.lastErrors.get(key) === line) return;
    this.lastErrors.set(key, line);
    this.options.log(`${line} (logged once until it changes)`);
    for (const detailLine of detail === '' ? [] : detail.split('\n')) this.options.log(`  ${detailLine}`);
  }
}

function sweepResultOf(payload: Uint8Array): SweepResult | undefined {
  try {
    const result = JSON.parse(new TextDecoder().decode(payload)) as Partial<SweepResult> | null;
    if (result?.status !== 'SWEPT' || !Array.isArray(result.resumed) || !Array.isArray(result.failed)) return undefined;
    return { ...result, more: result.more === true } as SweepResult;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `name:qualifier` of a function ARN, what people read in dev's log. */
function shortArn(functionArn: string): string {
  return functionArn.split(':function:')[1] ?? functionArn;
}
