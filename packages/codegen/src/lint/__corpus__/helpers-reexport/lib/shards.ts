export function choose(): number {
  return Math.floor(Math.random() * 16); // expect: nondeterministic-random via ShardService.assign → pickShard
}
