import { sameDuration } from './diff-durations.js';
import { breakingChange, type FoundChange, inWhere, type SequencePlace } from './diff-found.js';
import { describeNode, describePath, sameIgnoringLines } from './diff-nodes.js';
import { REASONS } from './diff-reasons.js';
import { compareSequences } from './diff-sequence.js';
import type { BranchNode, SchemaNode } from './schema-nodes.js';

/**
 * One node in both versions: its details, and what it holds (the paths of a branch, a loop's body, the branches
 * of a parallel, a map's item), which are sequences again (diff-sequence.ts).
 */
export function compareMatched(
  oldNode: SchemaNode,
  newNode: SchemaNode,
  place: SequencePlace,
  found: FoundChange[],
): void {
  const where = inWhere(place);
  const name = describeNode(newNode);
  switch (newNode.kind) {
    case 'step': {
      if (oldNode.kind !== 'step') return;
      if (!sameIgnoringLines(oldNode.args, newNode.args)) {
        const summary = `arguments of ${name} changed from (${oldNode.args.join(', ')}) to (${newNode.args.join(', ')})${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.argumentsChanged));
      } else if (!sameUses(oldNode, newNode)) {
        const summary = `arguments of ${name} read ${usesChange(oldNode, newNode)}${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.argumentsChanged));
      }
      if (oldNode.semantics !== newNode.semantics) {
        found.push({
          classification: 'safe',
          change: 'semantics-changed',
          line: newNode.line,
          oldLine: oldNode.line,
          inOldSource: false,
          summary: `${name} is now ${newNode.semantics} (was ${oldNode.semantics})${where}`,
          reason: REASONS.semanticsChanged,
        });
      }
      return;
    }
    case 'sleep':
      if (oldNode.kind === 'sleep' && !sameDuration(oldNode.duration, newNode.duration)) {
        const summary = `${name} changed from ${oldNode.duration} to ${newNode.duration}${where}`;
        found.push(breakingChange('duration-changed', newNode, oldNode, summary, REASONS.durationChanged));
      } else if (oldNode.kind === 'sleep' && !sameUses(oldNode, newNode)) {
        const summary = `duration of ${name} reads ${usesChange(oldNode, newNode)}${where}`;
        found.push(breakingChange('duration-changed', newNode, oldNode, summary, REASONS.durationChanged));
      }
      return;
    case 'callback':
      if (oldNode.kind === 'callback' && !sameDuration(oldNode.timeout, newNode.timeout)) {
        const summary = `timeout of ${name} changed from ${oldNode.timeout ?? 'none'} to ${newNode.timeout ?? 'none'}${where}`;
        found.push(breakingChange('timeout-changed', newNode, oldNode, summary, REASONS.timeoutChanged));
      } else if (oldNode.kind === 'callback' && !sameUses(oldNode, newNode)) {
        const summary = `timeout of ${name} reads ${usesChange(oldNode, newNode)}${where}`;
        found.push(breakingChange('timeout-changed', newNode, oldNode, summary, REASONS.timeoutChanged));
      }
      return;
    case 'invoke':
      if (oldNode.kind === 'invoke' && oldNode.input !== newNode.input) {
        const summary = `input of ${name} changed from ${oldNode.input} to ${newNode.input}${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.argumentsChanged));
      } else if (oldNode.kind === 'invoke' && !sameUses(oldNode, newNode)) {
        const summary = `input of ${name} reads ${usesChange(oldNode, newNode)}${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.argumentsChanged));
      }
      return;
    case 'parallel': {
      if (oldNode.kind !== 'parallel') return;
      const [before, after] = [oldNode.branches, newNode.branches];
      if (before === null || after === null) {
        if (before !== after)
          found.push(
            breakingChange(
              'branches-changed',
              newNode,
              oldNode,
              `branches of ${name} changed${where}`,
              REASONS.branchesUnknown,
            ),
          );
        return;
      }
      if (before.length !== after.length) {
        const summary = `${name} has ${after.length} branches, had ${before.length}${where}`;
        found.push(breakingChange('branches-changed', newNode, oldNode, summary, REASONS.branchesChanged));
        return;
      }
      // Each branch counts its own positions: what follows the parallel never shifts with them.
      after.forEach((branch, index) => {
        compareSequences(
          before[index]!,
          branch,
          { isTail: true, inLoop: false, inBranch: true, where: `branch ${index + 1} of ${name}` },
          found,
        );
      });
      return;
    }
    case 'map':
      if (oldNode.kind !== 'map') return;
      if (oldNode.items !== newNode.items) {
        const summary = `items of ${name} changed from ${oldNode.items} to ${newNode.items}${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.itemsChanged));
      } else if (!sameUses(oldNode, newNode)) {
        const summary = `items of ${name} read ${usesChange(oldNode, newNode)}${where}`;
        found.push(breakingChange('arguments-changed', newNode, oldNode, summary, REASONS.itemsChanged));
      }
      compareSequences(
        oldNode.body,
        newNode.body,
        { isTail: true, inLoop: false, inBranch: true, where: `each item of ${name}` },
        found,
      );
      return;
    case 'branch':
      if (oldNode.kind !== 'branch') return;
      comparePaths(oldNode, newNode, place, found);
      return;
    case 'loop':
      if (oldNode.kind !== 'loop') return;
      compareSequences(
        oldNode.body,
        newNode.body,
        { ...place, isTail: false, inLoop: true, where: describeNode(newNode) },
        found,
      );
      return;
    default:
      return;
  }
}

function sameUses(oldNode: { uses?: string[] }, newNode: { uses?: string[] }): boolean {
  return sameIgnoringLines(oldNode.uses ?? [], newNode.uses ?? []);
}

/** `` `amount = input.quantity * 12` (was `amount = input.quantity * 10`) ``: the declarations read, new and old. */
function usesChange(oldNode: { uses?: string[] }, newNode: { uses?: string[] }): string {
  const list = (uses: string[] | undefined) => (uses ?? []).map((use) => `\`${use}\``).join(', ') || 'no constant';
  return `${list(newNode.uses)} (was ${list(oldNode.uses)})`;
}

/**
 * The paths of one branch in both versions. Paths of an `if` or `?:` are alternatives; a `try` block runs
 * before its catch and finally blocks, and a `switch` case may fall through into the next: there an append
 * is at the tail only when no later path records anything.
 */
function comparePaths(oldNode: BranchNode, newNode: BranchNode, place: SequencePlace, found: FoundChange[]): void {
  const count = Math.max(oldNode.paths.length, newNode.paths.length);
  const isSequential = newNode.form === 'try' || newNode.form === 'switch';
  for (let index = 0; index < count; index++) {
    const laterRecords = isSequential && oldNode.paths.slice(index + 1).some((path) => path.length > 0);
    compareSequences(
      oldNode.paths[index] ?? [],
      newNode.paths[index] ?? [],
      { ...place, isTail: place.isTail && !laterRecords, where: describePath(newNode, index) },
      found,
    );
  }
}
