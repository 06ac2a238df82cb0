import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCallbackTokenError } from '../errors.js';
import type { ExecutionKey } from '../journal/records.js';

/** What a callback token names: the execution and the position waiting for it. */
export interface CallbackAddress extends ExecutionKey {
  position: string;
  name: string;
}

const VERSION = 1;

/**
 * The token `waitForCallback` hands to its submitter: the address of the wait,
 * signed with the execution's own secret (kept in its record, never sent), so
 * that knowing an execution id and its code is not enough to complete its
 * callbacks.
 */
export function encodeCallbackToken(address: CallbackAddress, secret: string): string {
  const { service, executionId, position, name } = address;
  const payload = { v: VERSION, s: service, e: executionId, p: position, n: name, m: sign(address, secret) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The address a token names and its signature; an {@link InvalidCallbackTokenError} if it is not a token. */
export function decodeCallbackToken(token: unknown): CallbackAddress & { signature: string } {
  if (typeof token !== 'string' || token.length === 0) throw new InvalidCallbackTokenError('it is not a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCallbackTokenError('it is not base64url-encoded JSON');
  }
  const fields = parsed as { v?: unknown; s?: unknown; e?: unknown; p?: unknown; n?: unknown; m?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    fields.v !== VERSION ||
    typeof fields.s !== 'string' ||
    typeof fields.e !== 'string' ||
    typeof fields.p !== 'string' ||
    typeof fields.n !== 'string' ||
    typeof fields.m !== 'string' ||
    !/^\d+(\.\d+)*$/.test(fields.p)
  ) {
    throw new InvalidCallbackTokenError('its fields are missing or of the wrong type');
  }
  return { service: fields.s, executionId: fields.e, position: fields.p, name: fields.n, signature: fields.m };
}

/** True when `signature` was made for `address` with `secret`. */
export function isGenuineToken(address: CallbackAddress, signature: string, secret: string): boolean {
  const expected = Buffer.from(sign(address, secret));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function sign(address: CallbackAddress, secret: string): string {
  return createHmac('sha256', secret)
    .update([address.service, address.executionId, address.position, address.name].join('\n'))
    .digest('base64url');
}
