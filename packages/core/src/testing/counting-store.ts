import type { CheckpointStore } from '../index.js';

/** The name of one request a {@link CheckpointStore} serves. */
export type StoreMethod = keyof CheckpointStore;

/** Methods that may change what is stored (a claim writes when it takes or creates the execution). */
export const WRITE_METHODS: readonly StoreMethod[] = [
  'claim',
  'writeOperation',
  'transition',
  'requestResume',
  'repinExecution',
];

/** Methods that only read. */
export const READ_METHODS: readonly StoreMethod[] = ['loadJournal', 'getExecution', 'listExecutions', 'findResumable'];

/**
 * A {@link CheckpointStore} that forwards every call to another one and counts
 * the calls per method, so tests can hold the engine to its costs
 * (one write per step, one journal load per invocation, no read per step)
 * against any store: a `MemoryStore` here, a `DynamoDbStore` in the
 * integration tests. A call is counted when it is made, whether it succeeds or not.
 */
export class CountingStore implements CheckpointStore {
  readonly #counts = new Map<StoreMethod, number>();

  constructor(readonly inner: CheckpointStore) {}

  /** Calls of `method` since construction or the last {@link reset}. */
  count(method: StoreMethod): number {
    return this.#counts.get(method) ?? 0;
  }

  /** Calls of every method, zeros included, e.g. for `toEqual` or a readable failure diff. */
  counts(): Record<StoreMethod, number> {
    return Object.fromEntries([...WRITE_METHODS, ...READ_METHODS].map((m) => [m, this.count(m)])) as Record<
      StoreMethod,
      number
    >;
  }

  /** Calls of all methods. */
  get total(): number {
    return [...this.#counts.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Calls that may write: claim, writeOperation, transition, requestResume, repinExecution. */
  get writes(): number {
    return WRITE_METHODS.reduce((sum, m) => sum + this.count(m), 0);
  }

  /** Calls that only read: loadJournal, getExecution, listExecutions, findResumable. */
  get reads(): number {
    return READ_METHODS.reduce((sum, m) => sum + this.count(m), 0);
  }

  /** Starts counting from zero again (e.g. between two invocations). */
  reset(): void {
    this.#counts.clear();
  }

  claim(...args: Parameters<CheckpointStore['claim']>): ReturnType<CheckpointStore['claim']> {
    this.#bump('claim');
    return this.inner.claim(...args);
  }

  loadJournal(...args: Parameters<CheckpointStore['loadJournal']>): ReturnType<CheckpointStore['loadJournal']> {
    this.#bump('loadJournal');
    return this.inner.loadJournal(...args);
  }

  writeOperation(
    ...args: Parameters<CheckpointStore['writeOperation']>
  ): ReturnType<CheckpointStore['writeOperation']> {
    this.#bump('writeOperation');
    return this.inner.writeOperation(...args);
  }

  transition(...args: Parameters<CheckpointStore['transition']>): ReturnType<CheckpointStore['transition']> {
    this.#bump('transition');
    return this.inner.transition(...args);
  }

  requestResume(...args: Parameters<CheckpointStore['requestResume']>): ReturnType<CheckpointStore['requestResume']> {
    this.#bump('requestResume');
    return this.inner.requestResume(...args);
  }

  repinExecution(
    ...args: Parameters<CheckpointStore['repinExecution']>
  ): ReturnType<CheckpointStore['repinExecution']> {
    this.#bump('repinExecution');
    return this.inner.repinExecution(...args);
  }

  getExecution(...args: Parameters<CheckpointStore['getExecution']>): ReturnType<CheckpointStore['getExecution']> {
    this.#bump('getExecution');
    return this.inner.getExecution(...args);
  }

  listExecutions(
    ...args: Parameters<CheckpointStore['listExecutions']>
  ): ReturnType<CheckpointStore['listExecutions']> {
    this.#bump('listExecutions');
    return this.inner.listExecutions(...args);
  }

  findResumable(...args: Parameters<CheckpointStore['findResumable']>): ReturnType<CheckpointStore['findResumable']> {
    this.#bump('findResumable');
    return this.inner.findResumable(...args);
  }

  #bump(method: StoreMethod): void {
    this.#counts.set(method, this.count(method) + 1);
  }
}
