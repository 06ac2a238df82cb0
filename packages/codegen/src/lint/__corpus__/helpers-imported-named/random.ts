export function spread(value: number): number {
  return value * (0.5 + Math.random()); // expect: nondeterministic-random via RetryService.retry → backoff → jitter
}

/** Never called by workflow code. */
export function coin(): boolean {
  return Math.random() < 0.5;
}
