import type { Severity } from '../diagnostics.js';

/** A lint rule: its stable code, severity, and what to tell the user. */
export interface RuleInfo {
  code: string;
  severity: Severity;
  /** Why it breaks replay (or, for a backend's limits, why it cannot run as written). */
  why: string;
  /** How to fix it. */
  fix: string;
}

/** Every rule of `durable-gen check` (docs/lint-rules.md describes each with an example). */
export const RULES = {
  'nondeterministic-time': {
    code: 'nondeterministic-time',
    severity: 'error',
    why: 'reads the clock, so a replay sees another time than the run it replays and can take another path',
    fix: 'use `await ctx.now()` (recorded once, replayed after), or move the code into a @Step',
  },
  'nondeterministic-random': {
    code: 'nondeterministic-random',
    severity: 'error',
    why: 'draws a new random value on every replay, so replays can take another path or record other arguments',
    fix: 'use `await ctx.random()` / `await ctx.uuid()` (recorded once), or move the code into a @Step',
  },
  'timer-outside-sleep': {
    code: 'timer-outside-sleep',
    severity: 'error',
    why: 'is not recorded: it runs again on every replay and does not survive the invocation',
    fix: "use `await ctx.sleep('name', { seconds: n })`, a durable timer",
  },
  'io-outside-step': {
    code: 'io-outside-step',
    severity: 'error',
    why: 'runs again on every replay, and its result is not recorded',
    fix: 'move the call into a @Step method, whose result is checkpointed',
  },
  'ctx-in-step': {
    code: 'ctx-in-step',
    severity: 'error',
    why: 'cannot be recorded: a step body runs once and is not replayed (at run time it throws ContextMisuseError)',
    fix: 'call ctx operations from the workflow, and plain code (Date.now(), Math.random()) inside the step',
  },
  'nested-step': {
    code: 'nested-step',
    severity: 'warning',
    why: 'runs as part of the outer step, unrecorded: it is not retried or replayed on its own',
    fix: 'call both steps from the workflow, or make the inner one a plain method',
  },
  'unsupported-wait': {
    code: 'unsupported-wait',
    severity: 'error',
    why:
      "is shorter than one second, which backend 'lambda-durable' cannot wait (Lambda durable functions wait whole " +
      'seconds, at least 1): the execution fails there with a ConfigurationError',
    fix: 'wait `{ seconds: 1 }` or longer, or leave the wait out',
  },
  'rounded-wait': {
    code: 'rounded-wait',
    severity: 'warning',
    why: "is not whole seconds: backend 'lambda-durable' waits whole seconds, so it waits longer than written",
    fix: 'write the duration in whole seconds (`{ seconds: 2 }`)',
  },
  'rounded-retry-delay': {
    code: 'rounded-retry-delay',
    severity: 'warning',
    why:
      "is not whole seconds of at least 1: on backend 'lambda-durable' the delay before each retry is rounded up " +
      'to whole seconds, at least 1, so retries come later than the policy says',
    fix: 'give `initialDelayMs` and `maxDelayMs` in whole seconds of at least 1 (`initialDelayMs: 1000`)',
  },
  'suppression-without-reason': {
    code: 'suppression-without-reason',
    severity: 'warning',
    why: 'should say why the finding is safe, for the next reader',
    fix: 'write `// durable-ignore CODE because …`',
  },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;
