/** The errors of a journal read from outside the store: an exported execution file. */

import { DurableError } from './base.js';

/**
 * A value read as an exported execution (`durable-gen executions export`) is
 * not one: not JSON of that shape, another format or version, or a field of
 * the execution or of a journal record missing or of the wrong kind. Says
 * where (`source`, and the `path` inside it) and what is wrong. Nothing was
 * replayed.
 */
export class JournalFormatError extends DurableError {
  static override readonly code = 'JOURNAL_FORMAT';
  constructor(
    /** Where the value came from: a file name, or a description such as `the replay-check event`. */
    readonly source: string,
    /** Where inside it: `journal[3].status`, or `$` for the value as a whole. */
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      JournalFormatError.code,
      `${source} is not an exported execution: ${path} ${problem}. Export one again with ` +
        "durable-gen executions export ID (format 'durable-execution', version 1).",
    );
  }
}
