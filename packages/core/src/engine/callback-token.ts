import { InvalidCallbackTokenError } from '../errors.js';
import type { ExecutionKey } from '../journal/records.js';

/** What a callback token names: the execution and the position waiting for it. */
export interface CallbackAddress extends ExecutionKey {
  position: string;
  name: string;
}

const VERSION = 1;

/** The token `waitForCallback` hands to its submitter. Opaque to users; readable by `completeCallback`. */
export function encodeCallbackToken(address: CallbackAddress): string {
  const { service, executionId, position, name } = address;
  return Buffer.from(JSON.stringify({ v: VERSION, s: service, e: executionId, p: position, n: name })).toString(
    'base64url',
  );
}

export function decodeCallbackToken(token: unknown): CallbackAddress {
  if (typeof token !== 'string' || token.length === 0) throw new InvalidCallbackTokenError('it is not a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCallbackTokenError('it is not base64url-encoded JSON');
  }
  const fields = parsed as { v?: unknown; s?: unknown; e?: unknown; p?: unknown; n?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    fields.v !== VERSION ||
    typeof fields.s !== 'string' ||
    typeof fields.e !== 'string' ||
    typeof fields.p !== 'string' ||
    typeof fields.n !== 'string' ||
    !/^\d+(\.\d+)*$/.test(fields.p)
  ) {
    throw new InvalidCallbackTokenError('its fields are missing or of the wrong type');
  }
  return { service: fields.s, executionId: fields.e, position: fields.p, name: fields.n };
}
