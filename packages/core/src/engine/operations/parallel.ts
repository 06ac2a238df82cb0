import { runInScope, type Scope } from '../../context/active-scope.js';
import { NonDeterminismError } from '../../errors.js';
import { hashSerialized } from '../../journal/hash.js';
import type { OperationRecord } from '../../journal/records.js';
import type { Execution } from '../execution.js';
import { signatureOf } from '../replay-state.js';

/**
 * `ctx.parallel` and `ctx.map`: branches run concurrently, each in its own
 * scope (`<position>.<branch>`), so their operations keep the same positions
 * whatever order they finish in. A marker at the position is written when
 * the branches start and again when they have all ended, so the replay check
 * sees the kind, name and branch count even while it is under way. Waits for
 * every branch; if any failed, throws the failure of the first failing branch
 * by index.
 */
export async function runAll<T>(
  execution: Execution,
  scope: Scope,
  kind: 'parallel' | 'map',
  name: string,
  branches: ReadonlyArray<(branchScope: Scope) => Promise<T>>,
  maxConcurrency: number,
): Promise<T[]> {
  const args = `${branches.length} branches`;
  const op = execution.begin(scope, { kind, name, argsHash: hashSerialized(String(branches.length)), args });
  let marker: OperationRecord | undefined = op.recorded;
  if (marker === undefined) {
    const started = op.record({ status: 'STARTED', attempt: 1 });
    marker = await execution.track(() => op.write(started, null));
  }
  const settled: PromiseSettledResult<T>[] = new Array(branches.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < branches.length) {
      const index = next++;
      const prefix = `${op.position}.${index + 1}`;
      // Each branch's first operation follows what came before the parallel, like the parallel itself.
      const branchScope: Scope = { execution, prefix, counter: 0, basis: op.follows };
      try {
        const branch = branches[index]!;
        settled[index] = { status: 'fulfilled', value: await runInScope(branchScope, () => branch(branchScope)) };
      } catch (reason) {
        settled[index] = { status: 'rejected', reason };
      }
      // A branch that now ends before operations it once recorded: stop before anything new happens.
      const unreached = execution.replay.unreached(prefix);
      if (unreached !== undefined)
        execution.fail(new NonDeterminismError(unreached.position, signatureOf(unreached), null));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(maxConcurrency, branches.length)) }, worker));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (marker.status === 'STARTED') {
    const final = op.record({ status: failure === undefined ? 'SUCCEEDED' : 'FAILED', attempt: 1 });
    const expected = { status: 'STARTED' as const, attempt: 1, epoch: marker.epoch };
    marker = await execution.track(() => op.write(final, expected));
  }
  op.follow(marker);
  op.emit(op.recorded === undefined ? (failure === undefined ? 'executed' : 'failed') : 'replayed', 1, 0);
  if (failure !== undefined) throw failure.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
