import { setTimeout as delay } from 'node:timers/promises';
import type { CheckpointStore } from '../../packages/core/src/index.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * `store` as seen over a slow, uneven network: each request waits up to
 * `maxMs` before it reaches the store and up to `maxMs` again before its
 * answer comes back (drawn from `random`). A write has then landed well before
 * its writer learns of it, and two invocations' requests overtake each other:
 * the windows in which overlapping invocations race, even on MemoryStore.
 */
export function withLatency(store: CheckpointStore, random: SeededRandom, maxMs: number): CheckpointStore {
  if (maxMs <= 0) return store;
  const wait = async (): Promise<void> => {
    const ms = random.next() * maxMs;
    if (ms >= 0.5) await delay(ms);
  };
  const slow =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await wait();
      const answer = await call.apply(store, args);
      await wait();
      return answer;
    };
  return {
    claim: slow(store.claim),
    loadJournal: slow(store.loadJournal),
    writeOperation: slow(store.writeOperation),
    transition: slow(store.transition),
    requestResume: slow(store.requestResume),
    getExecution: slow(store.getExecution),
    listExecutions: slow(store.listExecutions),
    findResumable: slow(store.findResumable),
    repinExecution: slow(store.repinExecution),
  };
}
