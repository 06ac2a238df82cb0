import { hash } from 'node:crypto';

/**
 * A short, stable digest of a serialized value: what the replay check
 * compares instead of the arguments themselves, so the journal stays small.
 * The one-shot `hash` (no Hash object per call) matters on replay, which
 * hashes the arguments of every recorded step again.
 */
export function hashSerialized(serialized: string): string {
  return hash('sha256', serialized, 'base64url').slice(0, 22);
}
