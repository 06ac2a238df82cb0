import type { Scope } from '../../context/active-scope.js';
import { hashSerialized } from '../../journal/hash.js';
import type { Execution } from '../execution.js';

/** `ctx.sleep`: a durable timer. Its wake-up time is recorded, so a replay waits for the same moment. */
export async function sleep(execution: Execution, scope: Scope, name: string, durationMs: number): Promise<void> {
  // The duration is part of the identity: changing it under a running execution is a change of path.
  const args = `${durationMs} ms`;
  const op = execution.begin(scope, { kind: 'sleep', name, argsHash: hashSerialized(args), args });
  return execution.track(async () => {
    let standing = op.recorded;
    if (standing === undefined) {
      await execution.barrier();
      const wakeAt = execution.clock() + durationMs;
      standing = await op.write(op.record({ status: 'STARTED', attempt: 1, wakeAt }), null);
    }
    const startedAt = Date.now();
    await execution.waitUntil(standing.wakeAt ?? 0, op);
    op.follow(standing);
    op.emit(op.recorded === undefined ? 'executed' : 'replayed', 1, Date.now() - startedAt);
  });
}
