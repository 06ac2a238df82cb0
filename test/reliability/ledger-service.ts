import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type DurableContext,
  DurableService,
  isDurableError,
  Step,
  type StepSemantics,
  Workflow,
} from '../../packages/core/src/index.js';

/**
 * The 20-step workflow the reliability suites inflict failures on. Each step
 * leaves a side effect (through the hooks of its host: a line in a file for a
 * worker process, an array in a test) and returns an entry derived from the
 * previous one, so a replayed value that differed would change the next
 * step's arguments and fail the replay check.
 *
 * Every third step is at-most-once. When an invocation died inside one, the
 * next gets StepInterruptedError; the workflow reconciles (as real code would
 * look the effect up by its idempotency key) by taking the entry the step
 * returns, and lists the step in `interrupted`. So `entries` of every run,
 * however often it was killed, equal those of an uninterrupted run.
 */

export const LEDGER_SERVICE = 'reliability-ledger';
export const LEDGER_STEPS = 20;

/** One side effect of one step, as the hosts log it. */
export interface SideEffect {
  execution: string;
  step: number;
  pid: number;
}

export interface LedgerInput {
  ledger: string;
}

export interface LedgerOutput {
  entries: string[];
  /** At-most-once steps that ended StepInterruptedError and were reconciled. */
  interrupted: number[];
}

/** What the host of the service does at each step. */
export interface LedgerHooks {
  /**
   * Records the step's side effect, synchronously, so a SIGKILL right after cannot lose it. A returned promise
   * is awaited (a worker that must die inside a step returns one that never settles).
   */
  sideEffect(effect: SideEffect): void | Promise<void>;
  /** Longest random pause before and after a side effect, in ms (so kills and races land inside steps). */
  pauseMs: number;
}

let hooks: LedgerHooks = { sideEffect: () => {}, pauseMs: 0 };

/** Sets what the steps of this process do besides returning their entry. */
export function setLedgerHooks(next: LedgerHooks): void {
  hooks = next;
}

export function semanticsOf(step: number): StepSemantics {
  return step % 3 === 0 ? 'at-most-once' : 'at-least-once';
}

/** The entry step `step` returns after `previous`: what an uninterrupted run records. */
export function entryFor(step: number, previous: string): string {
  const digest = createHash('sha256').update(`${step}|${previous}`).digest('hex').slice(0, 12);
  return `${step}:${semanticsOf(step)}:${digest}`;
}

/** The output of an uninterrupted run of `input`. */
export function uninterruptedOutput(input: LedgerInput): LedgerOutput {
  const entries: string[] = [];
  let previous = input.ledger;
  for (let step = 1; step <= LEDGER_STEPS; step++) {
    previous = entryFor(step, previous);
    entries.push(previous);
  }
  return { entries, interrupted: [] };
}

async function pause(): Promise<void> {
  if (hooks.pauseMs > 0) await delay(Math.random() * hooks.pauseMs);
}

async function effect(execution: string, step: number, previous: string): Promise<string> {
  await pause();
  await hooks.sideEffect({ execution, step, pid: process.pid });
  await pause();
  return entryFor(step, previous);
}

@DurableService({ name: LEDGER_SERVICE })
export class LedgerService {
  @Workflow()
  async post(ctx: DurableContext, input: LedgerInput): Promise<LedgerOutput> {
    const entries: string[] = [];
    const interrupted: number[] = [];
    let previous = input.ledger;
    for (let step = 1; step <= LEDGER_STEPS; step++) {
      if (semanticsOf(step) === 'at-least-once') {
        previous = await this.record(ctx.executionId, step, previous);
      } else {
        try {
          previous = await this.charge(ctx.executionId, step, previous);
        } catch (error) {
          if (!isDurableError(error, 'STEP_INTERRUPTED')) throw error;
          interrupted.push(step);
          previous = entryFor(step, previous);
        }
      }
      entries.push(previous);
    }
    return { entries, interrupted };
  }

  @Step()
  async record(execution: string, step: number, previous: string): Promise<string> {
    return effect(execution, step, previous);
  }

  @Step({ semantics: 'at-most-once' })
  async charge(execution: string, step: number, previous: string): Promise<string> {
    return effect(execution, step, previous);
  }
}
