/** Milliseconds of each unit of core's `Duration`. */
const UNIT_MS: Record<string, number> = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000, ms: 1 };

const PART = /^(['"]?)(days|hours|minutes|seconds|ms)\1\s*:\s*(\d[\d_]*(?:\.\d+)?)$/;

/**
 * The milliseconds a duration written as an object literal of numbers stands for (`{ hours: 1 }` and
 * `{ minutes: 60 }` are both 3 600 000), or undefined when the text is anything else (a constant, an
 * expression): the engine records a sleep's duration and a callback's timeout in milliseconds, so two ways
 * of writing the same length are the same operation.
 */
export function literalDurationMs(text: string): number | undefined {
  const body = /^\{([^{}]*)\}$/.exec(text.trim())?.[1];
  if (body === undefined) return undefined;
  let total = 0;
  for (const part of body.split(',')) {
    const written = part.trim();
    if (written === '') continue;
    const match = PART.exec(written);
    if (match === null) return undefined;
    total += Number(match[3]!.replaceAll('_', '')) * UNIT_MS[match[2]!]!;
  }
  return total;
}

/** True when two durations as written are the same length: equal text, or literals of equal milliseconds. */
export function sameDuration(a: string | null, b: string | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const msA = literalDurationMs(a);
  return msA !== undefined && msA === literalDurationMs(b);
}
