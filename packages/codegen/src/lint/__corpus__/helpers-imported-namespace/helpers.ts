export function format(amount: number): string {
  return amount.toFixed(2);
}

export function stamp(): string {
  return new Date().toISOString(); // expect: nondeterministic-time via LedgerService.post → stamp
}

export function unused(): number {
  return Date.now();
}
