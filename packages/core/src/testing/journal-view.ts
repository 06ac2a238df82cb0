import type { OperationKind, OperationRecord, OperationStatus } from '../journal/records.js';
import { deserialize } from '../serde/serialize.js';

/**
 * One position of an execution's journal as a test reads it: the record the store keeps, with its values
 * deserialized (Date, Map, BigInt and error classes intact) instead of the serialized strings.
 */
export interface JournalEntry {
  /** `3`, or `7.2.1` for the first operation of the second branch of the parallel at 7. */
  position: string;
  kind: OperationKind;
  /** The step's name, the sleep's or callback's name, `service.workflow` for an invoke. */
  name: string;
  /**
   * As recorded: `SUCCEEDED` / `FAILED` once final; `RETRYING` between attempts; `STARTED` for an at-most-once
   * step under way (or interrupted), a callback handed out, and a sleep (whose record stays `STARTED`: see `wakeAt`).
   */
  status: OperationStatus;
  /** The attempt the record speaks of: 2 for a step that failed once and then succeeded. */
  attempts: number;
  /** The step's arguments, when they were recorded whole; absent when only a shortened preview is kept. */
  args?: unknown[];
  /** The invoke's input, as the child was started with it. */
  input?: unknown;
  /** The readable form the replay check shows (`86400000 ms` for a sleep), when one is kept. */
  argsText?: string;
  /** What the operation returned, when `SUCCEEDED`. */
  result?: unknown;
  /** The error, when `FAILED`, or the last failed attempt's, when `RETRYING`: the class of this package's errors. */
  error?: unknown;
  /** Epoch ms (the runner's clock) a sleep wakes. */
  wakeAt?: number;
  /** Epoch ms the next attempt of a `RETRYING` step may start. */
  retryAt?: number;
  /** Epoch ms a callback times out. */
  timeoutAt?: number;
  /** True for a step recorded as at-most-once. */
  isAtMostOnce: boolean;
  /** The claim epoch (1 for the first invocation) of the invocation that wrote the record. */
  epoch: number;
}

/** The journal entry of a stored operation record. */
export function journalEntry(record: OperationRecord): JournalEntry {
  const entry: JournalEntry = {
    position: record.position,
    kind: record.kind,
    name: record.name,
    status: record.status,
    attempts: record.attempt,
    isAtMostOnce: record.semantics === 'at-most-once',
    epoch: record.epoch,
  };
  if (record.args !== undefined) {
    entry.argsText = record.args;
    const recorded = parsedArguments(record.args);
    if (recorded !== undefined) {
      if (record.kind === 'invoke') entry.input = recorded.value;
      else if (Array.isArray(recorded.value)) entry.args = recorded.value;
    }
  }
  if (record.result !== undefined) entry.result = deserialize(record.result);
  if (record.error !== undefined) entry.error = deserialize(record.error);
  if (record.wakeAt !== undefined) entry.wakeAt = record.wakeAt;
  if (record.retryAt !== undefined) entry.retryAt = record.retryAt;
  if (record.timeoutAt !== undefined) entry.timeoutAt = record.timeoutAt;
  return entry;
}

/**
 * The recorded arguments, when the record keeps them whole: records keep a preview of at most 200 characters
 * (cut with `…`), and a sleep keeps its duration as text, neither of which reads back as a value.
 */
function parsedArguments(text: string): { value: unknown } | undefined {
  try {
    return { value: deserialize(text) };
  } catch {
    return undefined;
  }
}
