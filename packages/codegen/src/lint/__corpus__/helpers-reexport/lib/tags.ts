export function tag(key: string): string {
  return `${key}-${Date.now()}`; // expect: nondeterministic-time via ShardService.assign → tag
}
