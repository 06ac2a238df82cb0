import { runInScope, type Scope } from '../../context/active-scope.js';
import type { StepDefinition } from '../../context/step-options.js';
import { StepInterruptedError, StepTimeoutError } from '../../errors.js';
import type { ExpectedOperation } from '../../journal/records.js';
import { deserialize, serializeError } from '../../serde/serialize.js';
import { delay, type Execution } from '../execution.js';
import { isFinal, type Operation, type Outcome } from '../operation.js';
import { isRetryable, resolveRetryPolicy, retryDelayMs } from '../retry.js';
import { argumentsOf } from './arguments.js';

/** A `@Step` method or `ctx.step`: run once, record the result, retry with backoff. */
export async function runStep(
  execution: Execution,
  scope: Scope,
  definition: StepDefinition,
  args: unknown[],
  body: () => unknown,
): Promise<unknown> {
  const identity = argumentsOf(args, `the arguments of step '${definition.name}'`);
  const semantics = definition.options.semantics === 'at-most-once' ? 'at-most-once' : undefined;
  const op = execution.begin(scope, { kind: 'step', name: definition.name, ...identity }, semantics);
  // Replay's hot path: a recorded outcome is the answer, with nothing in flight to track.
  if (op.isFinished) return op.answer(op.recorded!, 'replayed');
  return execution.track(() => runAttempts(execution, op, definition, body));
}

async function runAttempts(
  execution: Execution,
  op: Operation,
  definition: StepDefinition,
  body: () => unknown,
): Promise<unknown> {
  const { name, options } = definition;
  const recorded = op.recorded;
  // The semantics a step was recorded with win: an at-most-once step that crashed must not run again unasked.
  const isAtMostOnce = recorded === undefined ? op.semantics === 'at-most-once' : recorded.semantics === 'at-most-once';
  const step = isAtMostOnce === (op.semantics === 'at-most-once') ? op : op.withSemantics(isAtMostOnce);
  const policy = resolveRetryPolicy(options.retry, isAtMostOnce);
  let attempt = 1;
  let expected: ExpectedOperation = null;

  if (recorded !== undefined && !isFinal(recorded)) {
    const current = { status: recorded.status, attempt: recorded.attempt, epoch: recorded.epoch };
    if (recorded.status === 'RETRYING') {
      // The code may have lowered maxAttempts since: then the last recorded failure is the outcome.
      if (recorded.attempt >= policy.maxAttempts) {
        const error = deserialize(recorded.error ?? 'null');
        return step.settle({ error }, current, { durationMs: 0, attempt: recorded.attempt });
      }
      await execution.waitUntil(recorded.retryAt ?? 0);
    } else if (recorded.attempt >= policy.maxAttempts) {
      // STARTED: an invocation died inside this at-most-once step; whether it took effect is unknown.
      const error = new StepInterruptedError(name, op.position, recorded.attempt);
      return step.settle({ error }, current, { durationMs: 0, attempt: recorded.attempt });
    }
    attempt = recorded.attempt + 1;
    expected = current;
  }

  // An at-most-once step's effect must not happen before the checkpoints it follows are safe.
  if (isAtMostOnce) await execution.barrier();
  for (;;) {
    const startedAt = Date.now();
    if (isAtMostOnce) {
      const started = step.record({ status: 'STARTED', attempt, owner: execution.settings.owner });
      const standing = await step.write(started, expected);
      // Another invocation ran this same step to its end meanwhile: its outcome is the outcome.
      if (standing !== started) return step.answer(standing, 'replayed');
      expected = { status: 'STARTED', attempt, epoch: started.epoch };
    }
    let outcome: Outcome;
    try {
      const stepScope: Scope = { ...op.scope, counter: 0, inStep: name };
      outcome = { value: await withTimeout(runInScope(stepScope, body), name, options.timeoutMs) };
    } catch (error) {
      outcome = { error };
    }
    const durationMs = Date.now() - startedAt;
    if ('value' in outcome || !isRetryable(outcome.error) || attempt >= policy.maxAttempts) {
      const pipelined = !isAtMostOnce && execution.canPipeline();
      return step.settle(outcome, expected, { durationMs, attempt, pipelined });
    }
    step.emit('retrying', attempt, durationMs);
    const delayMs = retryDelayMs(policy, attempt);
    if (!execution.canWaitInProcess(delayMs)) {
      // Too long to hold the invocation: record the failed attempt and when to try again, then suspend.
      const retryAt = execution.clock() + delayMs;
      const error = serializeError(outcome.error, execution.maxPayloadBytes);
      const retrying = step.record({ status: 'RETRYING', attempt, retryAt, error });
      const standing = await step.write(retrying, expected);
      if (standing !== retrying) return step.answer(standing, 'replayed');
      return execution.suspension.request(retryAt);
    }
    await delay(delayMs);
    attempt += 1;
  }
}

async function withTimeout<T>(work: T | Promise<T>, stepName: string, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(stepName, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
