import { isDurableError, StoreUnavailableError } from '../errors.js';
import type { CheckpointStore } from './checkpoint-store.js';

/**
 * The store as the engine uses it: a request that fails (after the client's
 * own retries) becomes a retryable {@link StoreUnavailableError} that keeps the
 * original as `cause`, and is reported to `onFault` so the invocation can stop
 * at once without writing anything more.
 */
export function guardStore(store: CheckpointStore, onFault?: (error: StoreUnavailableError) => void): CheckpointStore {
  const guard =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call.apply(store, args);
      } catch (error) {
        if (isDurableError(error)) {
          // A fault already wrapped by an inner guard (createHandler guards its store too) is still a fault here.
          if (error instanceof StoreUnavailableError) onFault?.(error);
          throw error;
        }
        const fault = new StoreUnavailableError(operation, { cause: error });
        onFault?.(fault);
        throw fault;
      }
    };
  return {
    claim: guard('claim', store.claim),
    loadJournal: guard('loadJournal', store.loadJournal),
    writeOperation: guard('writeOperation', store.writeOperation),
    transition: guard('transition', store.transition),
    requestResume: guard('requestResume', store.requestResume),
    repinExecution: guard('repinExecution', store.repinExecution),
    getExecution: guard('getExecution', store.getExecution),
    listExecutions: guard('listExecutions', store.listExecutions),
    findResumable: guard('findResumable', store.findResumable),
  };
}
