import { AsyncLocalStorage } from 'node:async_hooks';
import { type SideEffect, setLedgerHooks } from './ledger-service.js';

/** A side effect of an in-process invocation, with the invocation that did it. */
export interface RunnerEffect extends SideEffect {
  /** Negative numbers, one per invocation, so they never meet the pids of worker processes. */
  runner: number;
}

/**
 * Hosts the ledger service in the test process: collects the steps' side
 * effects in memory, each tagged with the invocation it ran in (an
 * AsyncLocalStorage follows each handler call into its step bodies).
 */
export class InProcessLedger {
  readonly effects: RunnerEffect[] = [];
  /** Called after each side effect is recorded (e.g. to start an outage at a chosen step). */
  onEffect: (effect: RunnerEffect) => void = () => {};
  readonly #runners = new AsyncLocalStorage<number>();
  #invocations = 0;

  constructor(pauseMs: number) {
    setLedgerHooks({
      pauseMs,
      sideEffect: (effect) => {
        const tagged = { ...effect, runner: this.#runners.getStore() ?? 0 };
        this.effects.push(tagged);
        this.onEffect(tagged);
      },
    });
  }

  /** Runs `invoke` as a new invocation: its side effects carry the returned runner number. */
  invoke<T>(invoke: () => Promise<T>): { runner: number; result: Promise<T> } {
    this.#invocations += 1;
    const runner = -this.#invocations;
    return { runner, result: this.#runners.run(runner, invoke) };
  }

  effectsOf(execution: string): RunnerEffect[] {
    return this.effects.filter((effect) => effect.execution === execution);
  }
}
