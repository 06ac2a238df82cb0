import type { CheckpointStore, ExecutionKey } from '../../packages/core/src/index.js';

/**
 * Polls the journal of `key` until `done(positions)` holds: pipelined checkpoints land while the next step
 * runs, so a test that kills a worker "after step N is recorded" waits for it rather than for a marker.
 */
export async function waitForJournal(
  store: CheckpointStore,
  key: ExecutionKey,
  done: (positions: string[]) => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const positions = (await store.loadJournal(key)).map((record) => record.position);
    if (done(positions)) return;
    if (Date.now() > deadline) {
      throw new Error(`the journal of ${key.executionId} holds ${JSON.stringify(positions)} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
