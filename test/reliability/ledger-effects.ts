import { expect } from 'vitest';
import { LEDGER_STEPS, type LedgerOutput, type SideEffect, semanticsOf } from './ledger-service.js';

/**
 * The exactly-once accounting of one ledger execution's side effects: every
 * step's effect happened once, except that an at-least-once step may repeat
 * when the run that did it was abandoned (killed, or failed on the store)
 * after the effect and before its checkpoint was durable; an at-most-once
 * step never repeats, and has no effect or one only when the output says it
 * was interrupted.
 *
 * Which at-least-once effects an abandoned run may leave to be repeated
 * depends on the checkpoint mode: with strict checkpoints (the default) only
 * its last one, the operation in flight; with pipelined checkpoints any after
 * its last at-most-once effect (writes under way are drained before an
 * at-most-once step starts, never after).
 */

/** What one execution's side effects show beyond "once each". */
export interface EffectTally {
  /** Extra runs of at-least-once steps (allowed: the run that did it died before its checkpoint). */
  atLeastOnceRepeats: number;
  /** Extra runs of at-most-once steps (never allowed; counted to print the 0). */
  atMostOnceRepeats: number;
  /** Interrupted at-most-once steps whose effect did happen before the run died. */
  interruptedAfterEffect: number;
  /** Interrupted at-most-once steps whose run died after the STARTED record, before the effect. */
  interruptedBeforeEffect: number;
}

export function emptyTally(): EffectTally {
  return { atLeastOnceRepeats: 0, atMostOnceRepeats: 0, interruptedAfterEffect: 0, interruptedBeforeEffect: 0 };
}

export function addTally(into: EffectTally, tally: EffectTally): void {
  into.atLeastOnceRepeats += tally.atLeastOnceRepeats;
  into.atMostOnceRepeats += tally.atMostOnceRepeats;
  into.interruptedAfterEffect += tally.interruptedAfterEffect;
  into.interruptedBeforeEffect += tally.interruptedBeforeEffect;
}

/**
 * Checks the effects of one execution (in the order they happened) against
 * its output. `runnerOf` names the run that did an effect (a pid, or an
 * in-process invocation number); `abandoned` holds the runs that ended
 * without finishing. An effect may be followed by another of the same step
 * only when an abandoned run did it and its checkpoint may not have been
 * durable when the run ended: its last effect, or with `isPipelined` any
 * after its last at-most-once effect.
 */
export function expectEffectsOnce<Effect extends SideEffect>(
  execution: string,
  effects: readonly Effect[],
  output: LedgerOutput,
  abandoned: ReadonlySet<number>,
  runnerOf: (effect: Effect) => number = (effect) => effect.pid,
  { isPipelined = false }: { isPipelined?: boolean } = {},
): EffectTally {
  const tally = emptyTally();
  const lastStepOf = new Map<number, number>();
  const lastAtMostOnceStepOf = new Map<number, number>();
  for (const effect of effects) {
    expect(effect.execution).toBe(execution);
    lastStepOf.set(runnerOf(effect), effect.step);
    if (semanticsOf(effect.step) === 'at-most-once') lastAtMostOnceStepOf.set(runnerOf(effect), effect.step);
  }
  const diedInside = (effect: Effect): boolean => {
    const runner = runnerOf(effect);
    return abandoned.has(runner) && lastStepOf.get(runner) === effect.step;
  };
  const mayRepeat = (effect: Effect): boolean => {
    if (!isPipelined) return diedInside(effect);
    const runner = runnerOf(effect);
    return abandoned.has(runner) && effect.step > (lastAtMostOnceStepOf.get(runner) ?? 0);
  };
  const steps = effects.map((effect) => effect.step);
  expect(Math.min(...steps), `${execution}: effect of an unknown step`).toBeGreaterThanOrEqual(1);
  expect(Math.max(...steps), `${execution}: effect of an unknown step`).toBeLessThanOrEqual(LEDGER_STEPS);

  for (let step = 1; step <= LEDGER_STEPS; step++) {
    const where = `${execution}, step ${step} (${semanticsOf(step)})`;
    const occurrences = effects.filter((effect) => effect.step === step);
    if (semanticsOf(step) === 'at-least-once') {
      expect(occurrences.length, `${where}: never ran`).toBeGreaterThanOrEqual(1);
      for (const repeated of occurrences.slice(0, -1)) {
        expect(mayRepeat(repeated), `${where}: ran again though run ${runnerOf(repeated)} had recorded it`).toBe(true);
      }
      tally.atLeastOnceRepeats += occurrences.length - 1;
      continue;
    }
    tally.atMostOnceRepeats += Math.max(0, occurrences.length - 1);
    expect(occurrences.length, `${where}: an at-most-once step ran twice`).toBeLessThanOrEqual(1);
    if (!output.interrupted.includes(step)) {
      expect(occurrences.length, `${where}: not interrupted, so it ran exactly once`).toBe(1);
    } else if (occurrences.length === 1) {
      expect(diedInside(occurrences[0]!), `${where}: interrupted though its run went on`).toBe(true);
      tally.interruptedAfterEffect += 1;
    } else {
      tally.interruptedBeforeEffect += 1;
    }
  }
  for (const step of output.interrupted) expect(semanticsOf(step)).toBe('at-most-once');
  return tally;
}
