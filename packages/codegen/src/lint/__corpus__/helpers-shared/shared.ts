function prefix(id: string): string {
  return `${id}-${suffix()}-${suffix()}`;
}

function suffix(): number {
  return Date.now(); // expect: nondeterministic-time via OrderService.place → reference → prefix → suffix
}

/** Reached from two workflows of one service and from a second service: reported once. */
export function reference(id: string): string {
  return prefix(id);
}
