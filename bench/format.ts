/** How the bench's tables write figures: every section alike. */

/** A figure with 3–4 significant digits: `12.3`, `0.456`, `0.0593`. */
export function fixed(value: number): string {
  return value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(3) : value.toFixed(4);
}

/** `numerator / denominator` to two places; `—` when the numerator's row is missing (its job failed). */
export function ratio(numerator: number | undefined, denominator: number): string {
  return numerator === undefined ? '—' : (numerator / denominator).toFixed(2);
}

/** Bytes in KB (whole), or in bytes under 1 KB. */
export function kb(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return `${Math.round(bytes / 1024)} KB`;
}
