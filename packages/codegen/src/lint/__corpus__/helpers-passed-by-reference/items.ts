import type { DurableContext } from '@durable/core';

/** Passed to ctx.step: runs as the step's body. */
export async function loadAll(): Promise<number> {
  const response = await fetch('https://example.com/items');
  return response.status;
}

/** Passed to ctx.map: a branch, workflow code with a context of its own. */
export async function processItem(item: string, _index: number, branch: DurableContext): Promise<string> {
  const at = await branch.step(`at-${item}`, () => Date.now());
  return `${item}-${at}-${Date.now()}`; // expect: nondeterministic-time via ReferenceService.run → processItem
}
