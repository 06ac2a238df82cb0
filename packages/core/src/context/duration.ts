import { ConfigurationError } from '../errors.js';

/** A length of time; the parts add up. `{ minutes: 1, seconds: 30 }` is 90 s. */
export interface Duration {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  ms?: number;
}

const UNIT_MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000, ms: 1 } as const;

/** Milliseconds in `duration`; a {@link ConfigurationError} for negative, non-finite or unknown parts. */
export function durationToMs(duration: Duration, what: string): number {
  if (typeof duration !== 'object' || duration === null) {
    throw new ConfigurationError(`${what}: a duration must be an object such as { seconds: 30 }.`);
  }
  let total = 0;
  for (const [unit, value] of Object.entries(duration)) {
    const unitMs = UNIT_MS[unit as keyof typeof UNIT_MS];
    if (unitMs === undefined) {
      throw new ConfigurationError(`${what}: unknown duration unit '${unit}' (use days, hours, minutes, seconds, ms).`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new ConfigurationError(`${what}: ${unit} must be a finite number >= 0 (got ${String(value)}).`);
    }
    total += value * unitMs;
  }
  return total;
}
