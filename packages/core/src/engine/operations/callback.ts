import { runInScope, type Scope } from '../../context/active-scope.js';
import { CallbackTimeoutError, NonDeterminismError } from '../../errors.js';
import { encodeCallbackToken } from '../callback-token.js';
import type { Execution } from '../execution.js';
import { isFinal } from '../operation.js';

/**
 * `ctx.waitForCallback`: hands a signed token to `submit`, records the wait,
 * and suspends until a completer records the result at this position
 * (engine/callbacks.ts) or the timeout passes.
 */
export async function waitForCallback(
  execution: Execution,
  scope: Scope,
  name: string,
  submit: (token: string) => unknown,
  timeoutMs: number | undefined,
): Promise<unknown> {
  // The completer writes the final record without knowing the timeout, so the timeout is checked apart below.
  const op = execution.begin(scope, { kind: 'callback', name, argsHash: '' });
  if (op.isFinished) return op.answer(op.recorded!, 'replayed');
  return execution.track(async () => {
    let standing = op.recorded;
    if (standing !== undefined) {
      const recordedTimeout = standing.timeoutAt === undefined ? undefined : standing.timeoutAt - standing.updatedAt;
      if (recordedTimeout !== timeoutMs) {
        const describe = (ms: number | undefined) => `timeout ${ms === undefined ? 'none' : `${ms} ms`}`;
        execution.fail(
          new NonDeterminismError(
            op.position,
            { kind: 'callback', name, argsHash: '', args: describe(recordedTimeout) },
            { kind: 'callback', name, argsHash: '', args: describe(timeoutMs) },
          ),
        );
      }
    }
    if (standing === undefined) {
      await execution.barrier();
      const { key, settings } = execution;
      const token = encodeCallbackToken(
        {
          ...key,
          position: op.position,
          name,
          epoch: settings.epoch,
          ...(op.follows === undefined ? {} : { follows: op.follows }),
        },
        settings.callbackSecret,
      );
      const submitScope: Scope = { ...scope, counter: 0, inStep: `callback ${name}` };
      try {
        await runInScope(submitScope, () => submit(token));
      } catch (error) {
        return op.settle({ error }, null, { durationMs: 0 });
      }
      const now = execution.clock();
      const started = op.record({
        status: 'STARTED',
        attempt: 1,
        ...(timeoutMs === undefined ? {} : { timeoutAt: now + timeoutMs }),
      });
      started.updatedAt = now;
      // The callback may have been completed before this record was written: then its result stands there.
      standing = await op.write(started, null);
    }
    if (isFinal(standing)) return op.answer(standing, 'replayed');
    if (standing.timeoutAt !== undefined && execution.clock() >= standing.timeoutAt) {
      const error = new CallbackTimeoutError(name, standing.timeoutAt - standing.updatedAt);
      return op.settle({ error }, { status: 'STARTED', attempt: 1, epoch: standing.epoch }, { durationMs: 0 });
    }
    op.emit('waiting', 1, 0);
    return execution.suspension.request(standing.timeoutAt);
  });
}
