import type { Scope } from '../../context/active-scope.js';
import { ConfigurationError, isDurableError } from '../../errors.js';
import type { InvokeOutcome, InvokeTarget } from '../../invoke/invoker.js';
import type { Execution } from '../execution.js';
import { NEVER } from '../suspension.js';
import { valueIdentity } from './arguments.js';

/** How soon a parent looks again at a child that waits for something only the outside can bring. */
const CHILD_POLL_MS = 60_000;

/**
 * `ctx.invoke` (what generated stubs call): runs a workflow of another
 * service as a child execution with the deterministic id
 * `<parent id>/<position>`, so a replayed parent finds the child's outcome
 * instead of starting a second one.
 */
export async function invoke(
  execution: Execution,
  scope: Scope,
  target: InvokeTarget,
  input: unknown,
): Promise<unknown> {
  const name = `${target.service}.${target.workflow}`;
  const op = execution.begin(scope, {
    kind: 'invoke',
    name,
    ...valueIdentity(input, `the input of invoke '${name}'`),
  });
  if (op.isFinished) return op.answer(op.recorded!, 'replayed');
  return execution.track(async () => {
    const { invoker, callerArn, deadline, now } = execution.settings;
    if (invoker === undefined) {
      throw new ConfigurationError(
        `ctx.invoke('${name}') needs an invoker: pass createHandler(..., { invoker }) (the generated handlers do), ` +
          'or an InProcessInvoker for local runs and tests.',
      );
    }
    await execution.barrier();
    const startedAt = Date.now();
    let outcome: InvokeOutcome;
    try {
      outcome = await invoker.invoke({
        target,
        executionId: `${execution.executionId}/${op.position}`,
        input,
        parent: execution.key,
        ...(callerArn === undefined ? {} : { callerArn }),
        ...(deadline === undefined ? {} : { remainingMs: deadline - now() }),
      });
    } catch (error) {
      // A problem no retry can fix (a bad target ARN, a child id too long) is this call's outcome;
      // anything else (the child busy or unreachable) leaves the parent to try again later.
      if (isDurableError(error) && !error.retryable) {
        return op.settle({ error }, null, { durationMs: Date.now() - startedAt });
      }
      execution.stop(error);
      return NEVER;
    }
    const durationMs = Date.now() - startedAt;
    switch (outcome.status) {
      case 'SUCCEEDED':
        return op.settle({ value: outcome.output }, null, { durationMs });
      case 'FAILED':
        return op.settle({ error: outcome.error }, null, { durationMs });
      case 'SUSPENDED':
        op.emit('waiting', 1, durationMs);
        return execution.suspension.request(outcome.resumeAt ?? now() + CHILD_POLL_MS);
    }
  });
}
