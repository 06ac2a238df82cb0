import { DurableOperationError } from '@aws/durable-execution-sdk-js';
import { toError } from '../serde/serialize.js';
import { type Envelope, encodeError, envelopeError, type Identity, readEnvelope } from './payloads.js';

/**
 * Errors through the SDK and back. The SDK records a failure as an `ErrorObject` (type, message, `ErrorData`) and
 * rethrows its own classes (`StepError`, `ChildContextError`, `InvokeError`, …), on the first run and on every
 * replay alike; only `ErrorData` survives as it was written. So what this adapter throws to the SDK is a
 * {@link CarriedError} with the original, serialized, in `ErrorData`, and what it catches from the SDK is searched
 * for that data ({@link carriedBy}), so the workflow sees the original class with its own fields again.
 */

/** Characters of an error's message kept in the `ErrorMessage` the service shows; all of it is in `ErrorData`. */
const SHOWN_MESSAGE_CHARS = 4_096;

/** How far down a chain of causes the SDK's wrappers are searched for carried data. */
const MAX_CAUSE_DEPTH = 10;

/**
 * What the adapter throws to the SDK in place of an error: the service shows the original's name as `ErrorType`
 * and its message, and `ErrorData` holds the original itself.
 */
export class CarriedError extends DurableOperationError {
  readonly errorType: string;
  /** The error this one carries. */
  readonly original: Error;

  constructor(thrown: unknown, identity: Identity = {}) {
    const original = toError(thrown);
    const message = String(original.message);
    const shown = message.length > SHOWN_MESSAGE_CHARS ? `${message.slice(0, SHOWN_MESSAGE_CHARS)}…` : message;
    super(shown, undefined, encodeError(original, identity));
    this.errorType = typeof original.name === 'string' && original.name !== '' ? original.name : 'Error';
    this.original = original;
  }
}

/** The envelope `error` or one of its causes carries in `errorData` (any copy of the SDK makes them alike). */
export function carriedEnvelope(error: unknown): Envelope | undefined {
  let node: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof node === 'object' && node !== null; depth++) {
    const data = (node as { errorData?: unknown }).errorData;
    const envelope = typeof data === 'string' ? readEnvelope(data) : undefined;
    if (envelope?.error !== undefined) return envelope;
    node = (node as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The original error `error` (thrown by the SDK, or one of ours) carries; undefined when it carries none. */
export function carriedBy(error: unknown): unknown {
  if (error instanceof CarriedError) return error.original;
  const envelope = carriedEnvelope(error);
  return envelope === undefined ? undefined : envelopeError(envelope);
}
