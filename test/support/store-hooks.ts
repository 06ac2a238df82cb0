import type { CheckpointStore, OperationRecord } from '../../packages/core/src/index.js';

/** What {@link withHooks} runs around an invocation's store requests. */
export interface StoreHooks {
  /** Called once a claim has been answered. */
  afterClaim?: () => void;
  /** Awaited before an operation write is sent (hold it back until the test lets it go). */
  beforeWrite?: (record: OperationRecord) => Promise<void> | void;
  /** Called once an operation write has landed or been refused. */
  afterWrite?: (record: OperationRecord, landed: boolean) => void;
  /** Called once the journal has been loaded. */
  afterLoad?: () => void;
}

/** `store`, with `hooks` run around its writes and journal loads: to pin one interleaving of racing invocations. */
export function withHooks(store: CheckpointStore, hooks: StoreHooks): CheckpointStore {
  return {
    claim: async (request) => {
      const outcome = await store.claim(request);
      hooks.afterClaim?.();
      return outcome;
    },
    loadJournal: async (key) => {
      const journal = await store.loadJournal(key);
      hooks.afterLoad?.();
      return journal;
    },
    writeOperation: async (key, record, expected) => {
      await hooks.beforeWrite?.(record);
      const outcome = await store.writeOperation(key, record, expected);
      hooks.afterWrite?.(record, outcome.ok);
      return outcome;
    },
    transition: (key, owner, to, now) => store.transition(key, owner, to, now),
    requestResume: (key, resumeAt) => store.requestResume(key, resumeAt),
    getExecution: (key) => store.getExecution(key),
    listExecutions: (query) => store.listExecutions(query),
    findResumable: (query) => store.findResumable(query),
    repinExecution: (key, request) => store.repinExecution(key, request),
  };
}

/** A promise and the function that settles it: a gate a test opens when the interleaving it pins says so. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
