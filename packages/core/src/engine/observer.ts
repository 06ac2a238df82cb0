import type { OperationKind } from '../journal/records.js';

/** What happened at one position, for progress output and tracing. */
export interface OperationEvent {
  service: string;
  executionId: string;
  position: string;
  kind: OperationKind;
  name: string;
  /**
   * `executed`: ran now and recorded; `replayed`: answered from the journal;
   * `failed`: ran now and recorded a failure; `retrying`: an attempt failed and
   * another follows; `waiting`: the execution suspends here.
   */
  outcome: 'executed' | 'replayed' | 'failed' | 'retrying' | 'waiting';
  attempt: number;
  durationMs: number;
}

/** Hooks into an execution, e.g. the CLI's progress lines. They must not throw. */
export interface ExecutionObserver {
  onOperation?(event: OperationEvent): void;
}
