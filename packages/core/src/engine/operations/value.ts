import type { Scope } from '../../context/active-scope.js';
import type { Execution } from '../execution.js';

/** `ctx.now`, `ctx.random`, `ctx.uuid`: a value produced once and recorded, so replays see the same one. */
export async function recordValue<T>(
  execution: Execution,
  scope: Scope,
  kind: 'now' | 'random' | 'uuid',
  produce: () => T,
): Promise<T> {
  const op = execution.begin(scope, { kind, name: kind, argsHash: '' });
  if (op.isFinished) return op.answer(op.recorded!, 'replayed') as T;
  return execution.track(
    async () => op.settle({ value: produce() }, null, { durationMs: 0, pipelined: execution.canPipeline() }) as T,
  );
}
