export function even(n: number): boolean {
  return n === 0 ? Math.random() < 2 : odd(n - 1); // expect: nondeterministic-random via LoopService.run → even
}

export function odd(n: number): boolean {
  return n === 0 ? false : even(n - 1);
}
