import { spread as jitter } from './random.js';

/** Exponential backoff with jitter. */
export function backoff(attempt: number): number {
  return jitter(2 ** attempt * 100);
}
