import { StepSemantics } from '@aws/durable-execution-sdk-js';
import { runInScope, type Scope } from '../../context/active-scope.js';
import type { StepDefinition } from '../../context/step-options.js';
import { argumentsOf } from '../../engine/operations/arguments.js';
import { StepInterruptedError, StepTimeoutError } from '../../errors.js';
import { CarriedError, carriedBy } from '../carried-errors.js';
import { NEVER, type SdkExecution } from '../execution.js';
import { encodeValue, envelopeValue, type Identity, passThrough, readEnvelope } from '../payloads.js';
import { failedAttemptOf, noRetry, retryStrategyOf, SDK_INTERRUPTED_ERROR } from '../retry-strategy.js';

/**
 * A `@Step` method or `ctx.step` as the SDK's `context.step`: the body runs inside the step, its result is
 * recorded in this adapter's envelope (with the arguments' hash), failures carry the original error, and the
 * step's retry policy and semantics are translated: at-most-once is the SDK's `AtMostOncePerRetry`, whose start
 * is recorded before the body runs.
 */
export async function runStep(
  execution: SdkExecution,
  scope: Scope,
  definition: StepDefinition,
  args: unknown[],
  body: () => unknown,
): Promise<unknown> {
  const { name, options } = definition;
  const identity: Identity = argumentsOf(args, `the arguments of step '${name}'`);
  const begun = execution.begin(scope, { kind: 'step', name, argsHash: identity.argsHash ?? '', ...identity });
  const isAtMostOnce = options.semantics === 'at-most-once';
  const what = `the result of step '${name}'`;
  let attempts = 0;
  const retryStrategy = retryStrategyOf(options.retry, isAtMostOnce);
  try {
    const payload = await begun.sdk.step(
      name,
      async () => {
        if (!execution.mayRun(scope)) return NEVER;
        attempts += 1;
        const stepScope: Scope = { ...scope, counter: 0, inStep: name };
        try {
          const value = await withTimeout(runInScope(stepScope, body), name, options.timeoutMs);
          return encodeValue(value, identity, what, execution.settings.maxPayloadBytes);
        } catch (error) {
          throw new CarriedError(error, identity);
        }
      },
      {
        retryStrategy: (error, attemptCount) => {
          attempts = failedAttemptOf(error, attemptCount);
          return retryStrategy(error, attemptCount);
        },
        semantics: isAtMostOnce ? StepSemantics.AtMostOncePerRetry : StepSemantics.AtLeastOncePerRetry,
        serdes: passThrough,
      },
    );
    return answer(payload, what);
  } catch (error) {
    throw stepFailure(error, name, begun.position, attempts);
  }
}

/** `ctx.now`, `ctx.random`, `ctx.uuid`: a value produced once in a step named after its kind, and recorded. */
export async function recordValue<T>(
  execution: SdkExecution,
  scope: Scope,
  kind: 'now' | 'random' | 'uuid',
  produce: () => T,
): Promise<T> {
  const identity: Identity = { kind, argsHash: '' };
  const begun = execution.begin(scope, { kind, name: kind, argsHash: '' });
  const what = `the value of ctx.${kind}()`;
  const payload = await begun.sdk.step(
    kind,
    async () => encodeValue(produce(), identity, what, execution.settings.maxPayloadBytes),
    { retryStrategy: noRetry, serdes: passThrough },
  );
  return answer(payload, what) as T;
}

/** The value of a step's recorded payload (the first run's answer goes through the same text as a replay's). */
function answer(payload: string | undefined, what: string): unknown {
  const envelope = readEnvelope(payload);
  if (envelope === undefined) throw new TypeError(`${what} was not recorded by @durable/core: cannot read it.`);
  return envelopeValue(envelope);
}

/** What a failed step throws in the workflow: the original error, or ours for what the SDK reported itself. */
function stepFailure(error: unknown, name: string, position: string, attempts: number): unknown {
  const carried = carriedBy(error);
  if (carried !== undefined) return carried;
  const cause = (error as { cause?: { name?: unknown } } | null)?.cause;
  if (cause?.name === SDK_INTERRUPTED_ERROR) return new StepInterruptedError(name, position, Math.max(1, attempts));
  return error;
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
