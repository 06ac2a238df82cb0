import { createHash } from 'node:crypto';

/**
 * A short, stable digest of a serialized value: what the replay check
 * compares instead of the arguments themselves, so the journal stays small.
 */
export function hashSerialized(serialized: string): string {
  return createHash('sha256').update(serialized).digest('base64url').slice(0, 22);
}
