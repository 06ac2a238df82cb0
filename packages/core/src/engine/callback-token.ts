import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCallbackTokenError } from '../errors.js';
import type { ExecutionKey, OperationRecord } from '../journal/records.js';

/** What a callback token names: the execution and the position waiting for it. */
export interface CallbackAddress extends ExecutionKey {
  position: string;
  name: string;
  /** The claim epoch of the invocation that handed the token out (tokens of earlier versions have none). */
  epoch?: number;
  /**
   * The record the wait followed (`OperationRecord.follows`): the completer's
   * record carries it too, so that it stands on the same path as the wait it
   * completes, even when it is written before the wait is recorded.
   */
  follows?: NonNullable<OperationRecord['follows']>;
}

const VERSION = 1;

/**
 * The token `waitForCallback` hands to its submitter: the address of the wait,
 * signed with the execution's own secret (kept in its record, never sent), so
 * that knowing an execution id and its code is not enough to complete its
 * callbacks.
 */
export function encodeCallbackToken(address: CallbackAddress, secret: string): string {
  const { service, executionId, position, name, epoch, follows } = address;
  const payload = {
    v: VERSION,
    s: service,
    e: executionId,
    p: position,
    n: name,
    ...(epoch === undefined ? {} : { ep: epoch }),
    ...(follows === undefined ? {} : { fp: follows.position, fe: follows.epoch }),
    m: sign(address, secret),
  };
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
  const fields = parsed as {
    v?: unknown;
    s?: unknown;
    e?: unknown;
    p?: unknown;
    n?: unknown;
    m?: unknown;
    ep?: unknown;
    fp?: unknown;
    fe?: unknown;
  };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    fields.v !== VERSION ||
    typeof fields.s !== 'string' ||
    typeof fields.e !== 'string' ||
    typeof fields.p !== 'string' ||
    typeof fields.n !== 'string' ||
    typeof fields.m !== 'string' ||
    !POSITION.test(fields.p) ||
    (fields.ep !== undefined && !isEpoch(fields.ep)) ||
    (fields.fp === undefined) !== (fields.fe === undefined) ||
    (fields.fp !== undefined && (typeof fields.fp !== 'string' || !POSITION.test(fields.fp) || !isEpoch(fields.fe)))
  ) {
    throw new InvalidCallbackTokenError('its fields are missing or of the wrong type');
  }
  return {
    service: fields.s,
    executionId: fields.e,
    position: fields.p,
    name: fields.n,
    ...(fields.ep === undefined ? {} : { epoch: fields.ep as number }),
    ...(fields.fp === undefined ? {} : { follows: { position: fields.fp as string, epoch: fields.fe as number } }),
    signature: fields.m,
  };
}

const POSITION = /^\d+(\.\d+)*$/;

function isEpoch(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** True when `signature` was made for `address` with `secret`. */
export function isGenuineToken(address: CallbackAddress, signature: string, secret: string): boolean {
  const expected = Buffer.from(sign(address, secret));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function sign(address: CallbackAddress, secret: string): string {
  const { service, executionId, position, name, epoch, follows } = address;
  // Tokens without epoch and follows (and those of earlier versions) sign what they always signed.
  const signed =
    epoch === undefined && follows === undefined
      ? [service, executionId, position, name].join('\n')
      : JSON.stringify([
          service,
          executionId,
          position,
          name,
          epoch ?? null,
          follows?.position ?? null,
          follows?.epoch ?? null,
        ]);
  return createHmac('sha256', secret).update(signed).digest('base64url');
}
