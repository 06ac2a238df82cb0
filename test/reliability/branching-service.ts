import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type DurableContext, DurableService, isDurableError, Step, Workflow } from '../../packages/core/src/index.js';
import type { SeededRandom } from '../support/seeded-random.js';

/**
 * The workflow of the clock-skew fuzz: a walk down a tree of random
 * decisions. Each level's `decide` step picks a letter at random (inside the
 * step, so two invocations pick differently), and the letter decides what
 * follows: a few `work` steps, a parallel whose branches decide again, or a
 * map. The plan (the input) fixes the tree and each step's semantics; the
 * decisions are the invocations'.
 *
 * Every step returns a token that embeds a digest of the whole path before it
 * (its `path` argument), and the output lists the tokens in order. So an
 * output is one an uninterrupted run could produce exactly when
 * {@link walkModel}, reading only its decisions, rebuilds it token for token:
 * a value taken from another invocation's path shows as a wrong digest or a
 * step that does not belong after the decision before it.
 *
 * An at-most-once step that an overlapping invocation found STARTED ends with
 * StepInterruptedError; the workflow reconciles it (as real code would look
 * its effect up) with a value an uninterrupted run may return, and lists its
 * label in `interrupted`.
 */

export const BRANCHING_SERVICE = 'reliability-branching';
export const LETTERS = ['a', 'b', 'c'] as const;
export type Letter = (typeof LETTERS)[number];
export type Semantics = 'at-least-once' | 'at-most-once';

/** What a choice leads to. */
export type Branch =
  /** Work steps in sequence, with these semantics. */
  | { kind: 'steps'; steps: Semantics[] }
  /** A parallel: each branch decides (at-least-once), then runs one work step with these semantics. */
  | { kind: 'parallel'; branches: Semantics[] }
  /** A map: one work step per item, with these semantics. */
  | { kind: 'map'; items: Semantics[] };

export interface Level {
  /** Semantics of the level's decision step. */
  decide: Semantics;
  choices: Record<Letter, Branch>;
}

export interface BranchingInput {
  levels: Level[];
}

export interface BranchingOutput {
  tokens: string[];
  /** Labels of the at-most-once steps that ended StepInterruptedError and were reconciled, sorted. */
  interrupted: string[];
}

/** One run of a step body. */
export interface BranchingEffect {
  runner: string;
  step: 'decide' | 'work';
  semantics: Semantics;
  label: string;
  path: string;
  /** The letter a decision picked. */
  letter?: Letter;
}

/** The invocation a step body runs in: who it is, where its decisions come from, where its effects go. */
export interface BranchingInvocation {
  runner: string;
  random: SeededRandom;
  /** Longest pause before and after a step's effect, in ms (so overlapping invocations interleave inside steps). */
  maxPauseMs: number;
  effects: BranchingEffect[];
}

const invocations = new AsyncLocalStorage<BranchingInvocation>();

/** Runs `invoke` (one handler call) as `invocation`: the step bodies it runs draw and log through it. */
export function runAs<T>(invocation: BranchingInvocation, invoke: () => Promise<T>): Promise<T> {
  return invocations.run(invocation, invoke);
}

/** What a step returns: its label and a digest of the path it was called on. */
export function tokenFor(label: string, path: string): string {
  return `${label}:${createHash('sha256').update(path).digest('hex').slice(0, 10)}`;
}

/** The letter a decision token carries, if it is a token of the decision `label`. */
function letterIn(token: string | undefined, label: string): Letter | undefined {
  if (token === undefined || !token.startsWith(`${label}=`)) return undefined;
  const letter = token.charAt(label.length + 1);
  return (LETTERS as readonly string[]).includes(letter) ? (letter as Letter) : undefined;
}

/** The letter of a decision token the workflow itself got (a step result, or a reconciled one). */
function letterOf(token: string, label: string): Letter {
  const letter = letterIn(token, label);
  if (letter === undefined) throw new Error(`decision ${label} returned '${token}'`);
  return letter;
}

async function pause(invocation: BranchingInvocation): Promise<void> {
  const ms = invocation.random.next() * invocation.maxPauseMs;
  if (ms >= 0.5) await delay(ms);
}

async function perform(step: 'decide' | 'work', semantics: Semantics, label: string, path: string): Promise<string> {
  const invocation = invocations.getStore();
  if (invocation === undefined) throw new Error(`step ${step} ${label} ran outside runAs()`);
  await pause(invocation);
  const letter = step === 'decide' ? invocation.random.pick(LETTERS) : undefined;
  invocation.effects.push({
    runner: invocation.runner,
    step,
    semantics,
    label,
    path,
    ...(letter === undefined ? {} : { letter }),
  });
  await pause(invocation);
  return tokenFor(letter === undefined ? label : `${label}=${letter}`, path);
}

@DurableService({ name: BRANCHING_SERVICE })
export class BranchingService {
  @Workflow()
  async walk(ctx: DurableContext, input: BranchingInput): Promise<BranchingOutput> {
    const tokens: string[] = [];
    const interrupted: string[] = [];
    const call = (step: 'decide' | 'work', semantics: Semantics, label: string, path: string) =>
      callStep(this, step, semantics, label, path, interrupted);
    for (const [index, level] of input.levels.entries()) {
      const label = `d${index + 1}`;
      const decided = await call('decide', level.decide, label, tokens.join('/'));
      tokens.push(decided);
      const letter = letterOf(decided, label);
      const branch = level.choices[letter];
      const prefix = `${label}${letter}`;
      if (branch.kind === 'steps') {
        for (const [i, semantics] of branch.steps.entries()) {
          tokens.push(await call('work', semantics, `${prefix}.${i + 1}`, tokens.join('/')));
        }
      } else if (branch.kind === 'parallel') {
        const base = tokens.join('/');
        const results = await ctx.parallel(
          prefix,
          branch.branches.map((semantics, i) => async () => {
            const branchLabel = `${prefix}.${i + 1}`;
            const branchPath = `${base}|${i + 1}`;
            const branchDecided = await call('decide', 'at-least-once', branchLabel, branchPath);
            const worked = await call(
              'work',
              semantics,
              `${branchLabel}${letterOf(branchDecided, branchLabel)}`,
              `${branchPath}/${branchDecided}`,
            );
            return [branchDecided, worked];
          }),
        );
        tokens.push(...results.flat());
      } else {
        const base = tokens.join('/');
        tokens.push(
          ...(await ctx.map(prefix, branch.items, (semantics, i) =>
            call('work', semantics, `${prefix}.${i + 1}`, `${base}|${i + 1}`),
          )),
        );
      }
    }
    // Branches may be interrupted in any order: the output must not depend on it.
    return { tokens, interrupted: interrupted.sort() };
  }

  @Step()
  async decide(label: string, path: string): Promise<string> {
    return perform('decide', 'at-least-once', label, path);
  }

  @Step({ semantics: 'at-most-once' })
  async decideOnce(label: string, path: string): Promise<string> {
    return perform('decide', 'at-most-once', label, path);
  }

  @Step()
  async work(label: string, path: string): Promise<string> {
    return perform('work', 'at-least-once', label, path);
  }

  @Step({ semantics: 'at-most-once' })
  async workOnce(label: string, path: string): Promise<string> {
    return perform('work', 'at-most-once', label, path);
  }
}

/** The name a step has in the journal. */
export function stepName(step: 'decide' | 'work', semantics: Semantics): string {
  return semantics === 'at-most-once' ? `${step}Once` : step;
}

async function callStep(
  service: BranchingService,
  step: 'decide' | 'work',
  semantics: Semantics,
  label: string,
  path: string,
  interrupted: string[],
): Promise<string> {
  const run = service[stepName(step, semantics) as 'decide' | 'decideOnce' | 'work' | 'workOnce'];
  if (semantics === 'at-least-once') return run.call(service, label, path);
  try {
    return await run.call(service, label, path);
  } catch (error) {
    if (!isDurableError(error, 'STEP_INTERRUPTED')) throw error;
    interrupted.push(label);
    // Reconciled: a decision takes the first letter (a choice any run may make), work its usual value.
    return tokenFor(step === 'decide' ? `${label}=${LETTERS[0]}` : label, path);
  }
}

/** One operation of the walk an uninterrupted run with given decisions makes, where it stands in the journal. */
export interface ModelOperation {
  position: string;
  kind: 'step' | 'parallel' | 'map';
  name: string;
  label: string;
  /** Steps only. */
  step?: 'decide' | 'work';
  semantics?: Semantics;
  path?: string;
  /** What the step returns. */
  token?: string;
}

/**
 * What an uninterrupted run of `input` produces when it takes the decisions
 * `observed` shows (a decision that is not readable there takes the first
 * letter, and the tokens then differ): the tokens, and every operation with
 * its journal position (a parallel's or map's branch `i` is `<position>.<i>`).
 */
export function walkModel(
  input: BranchingInput,
  observed: readonly string[],
): { tokens: string[]; operations: ModelOperation[] } {
  const tokens: string[] = [];
  const operations: ModelOperation[] = [];
  const runStep = (position: string, step: 'decide' | 'work', semantics: Semantics, label: string, path: string) => {
    const letter = step === 'decide' ? (letterIn(observed[tokens.length], label) ?? LETTERS[0]) : undefined;
    const token = tokenFor(letter === undefined ? label : `${label}=${letter}`, path);
    tokens.push(token);
    operations.push({ position, kind: 'step', name: stepName(step, semantics), label, step, semantics, path, token });
    return { letter: letter ?? LETTERS[0], token };
  };
  let counter = 0;
  for (const [index, level] of input.levels.entries()) {
    const label = `d${index + 1}`;
    const { letter } = runStep(String(++counter), 'decide', level.decide, label, tokens.join('/'));
    const branch = level.choices[letter];
    const prefix = `${label}${letter}`;
    if (branch.kind === 'steps') {
      for (const [i, semantics] of branch.steps.entries()) {
        runStep(String(++counter), 'work', semantics, `${prefix}.${i + 1}`, tokens.join('/'));
      }
      continue;
    }
    const position = String(++counter);
    operations.push({ position, kind: branch.kind, name: prefix, label: prefix });
    const base = tokens.join('/');
    if (branch.kind === 'parallel') {
      for (const [i, semantics] of branch.branches.entries()) {
        const branchLabel = `${prefix}.${i + 1}`;
        const branchPath = `${base}|${i + 1}`;
        const decided = runStep(`${position}.${i + 1}.1`, 'decide', 'at-least-once', branchLabel, branchPath);
        const workLabel = `${branchLabel}${decided.letter}`;
        runStep(`${position}.${i + 1}.2`, 'work', semantics, workLabel, `${branchPath}/${decided.token}`);
      }
    } else {
      for (const [i, semantics] of branch.items.entries()) {
        runStep(`${position}.${i + 1}.1`, 'work', semantics, `${prefix}.${i + 1}`, `${base}|${i + 1}`);
      }
    }
  }
  return { tokens, operations };
}
