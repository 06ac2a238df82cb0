export function double(n: number): number {
  return n * 2;
}

export function noisy(n: number): number {
  return n * Math.random();
}
