import { longestCommonKeys } from './diff-alignment.js';
import { breakingChange, type FoundChange, inWhere, type SequencePlace } from './diff-found.js';
import { compareMatched } from './diff-matched.js';
import { controlContains, describeNode, identityKey, sameIgnoringLines } from './diff-nodes.js';
import { REASONS } from './diff-reasons.js';
import { recordsOperation } from './exits.js';
import { isOperationNode, type SchemaNode } from './schema-nodes.js';

/** Compares two versions of one sequence and adds what changed to `found`. */
export function compareSequences(
  old: readonly SchemaNode[],
  next: readonly SchemaNode[],
  place: SequencePlace,
  found: FoundChange[],
): void {
  const pairs = longestCommonKeys(old.map(identityKey), next.map(identityKey));
  const usedOld = new Set(pairs.map(([i]) => i));
  const usedNew = new Set(pairs.map(([, j]) => j));

  // A node that left its place for another one in the same sequence is a reorder, wherever it went.
  for (let i = 0; i < old.length; i++) {
    if (usedOld.has(i)) continue;
    const j = next.findIndex((node, index) => !usedNew.has(index) && identityKey(node) === identityKey(old[i]!));
    if (j === -1) continue;
    usedOld.add(i);
    usedNew.add(j);
    const before = next[j - 1];
    found.push(
      breakingChange(
        'reordered',
        next[j]!,
        old[i]!,
        `${describeNode(next[j]!)} now comes ${before === undefined ? 'first' : `after ${describeNode(before)}`}${inWhere(place)}`,
        REASONS.reordered,
      ),
    );
  }

  const bounds: [number, number][] = [[-1, -1], ...pairs, [old.length, next.length]];
  for (let g = 1; g < bounds.length; g++) {
    const [fromOld, fromNew] = bounds[g - 1]!;
    const [toOld, toNew] = bounds[g]!;
    const gapOld = range(fromOld + 1, toOld).filter((i) => !usedOld.has(i));
    const gapNew = range(fromNew + 1, toNew).filter((j) => !usedNew.has(j));
    compareGap(old, next, gapOld, gapNew, g === bounds.length - 1, place, found);
  }

  for (const [i, j] of pairs) {
    const followedInOld = i < old.length - 1;
    compareMatched(old[i]!, next[j]!, { ...place, isTail: place.isTail && !followedInOld }, found);
  }
}

/** What is left between two matched nodes: moves into and out of control flow, replacements, additions, removals. */
function compareGap(
  old: readonly SchemaNode[],
  next: readonly SchemaNode[],
  gapOld: number[],
  gapNew: number[],
  isLastGap: boolean,
  place: SequencePlace,
  found: FoundChange[],
): void {
  const leftOld = gapOld.map((i) => old[i]!);
  let leftNew = gapNew.map((j) => next[j]!);

  for (const node of [...leftOld]) {
    const into = leftNew.find((candidate) => !isOperationNode(candidate) && controlContains(candidate, node));
    if (into !== undefined) {
      found.push(
        breakingChange('moved', into, node, `${describeNode(node)} moved into ${describeNode(into)}`, REASONS.moved),
      );
      leftOld.splice(leftOld.indexOf(node), 1);
      leftNew = leftNew.filter((candidate) => candidate !== into);
      continue;
    }
    const outOf = leftNew.find((candidate) => !isOperationNode(node) && controlContains(node, candidate));
    if (outOf !== undefined) {
      found.push(
        breakingChange(
          'moved',
          outOf,
          node,
          `${describeNode(outOf)} moved out of ${describeNode(node)}`,
          REASONS.moved,
        ),
      );
      leftOld.splice(leftOld.indexOf(node), 1);
      leftNew = leftNew.filter((candidate) => candidate !== outOf);
    }
  }

  // Replaced in place: paired in order, operations with operations and control flow with control flow.
  const replaced: [SchemaNode, SchemaNode][] = [];
  for (const oldNode of [...leftOld]) {
    const partner = leftNew.find((candidate) => isOperationNode(candidate) === isOperationNode(oldNode));
    if (partner === undefined) continue;
    replaced.push([oldNode, partner]);
    leftOld.splice(leftOld.indexOf(oldNode), 1);
    leftNew = leftNew.filter((candidate) => candidate !== partner);
  }
  for (const [oldNode, newNode] of replaced) compareReplaced(oldNode, newNode, place, found);

  for (const node of leftNew) {
    const isAppend = isLastGap && place.isTail && !place.inLoop;
    if (isAppend) {
      found.push({
        classification: 'safe',
        change: 'appended',
        line: node.line,
        inOldSource: false,
        summary: `${describeNode(node)} appended at the end of ${place.where}`,
        reason: place.inBranch ? REASONS.appendedInBranch : REASONS.appended,
      });
      continue;
    }
    const index = next.indexOf(node);
    const following = next[index + 1];
    const summary =
      following === undefined
        ? `${describeAdded(node)} added at the end of ${place.where}`
        : `${describeAdded(node)} inserted before ${describeNode(following)}${inWhere(place)}`;
    found.push({
      classification: 'breaking',
      change: 'inserted',
      line: node.line,
      inOldSource: false,
      summary,
      reason: isExitOnly(node) ? REASONS.exitChanged : place.inLoop ? REASONS.insertedInLoop : REASONS.inserted,
    });
  }
  for (const node of leftOld) {
    found.push({
      classification: 'breaking',
      change: 'removed',
      line: node.line,
      oldLine: node.line,
      inOldSource: true,
      summary: `${describeAdded(node)} removed${inWhere(place)}`,
      reason: isExitOnly(node) ? REASONS.exitChanged : REASONS.removed,
    });
  }
}

/** Two different nodes at one place: a rename, another kind, another condition. */
function compareReplaced(oldNode: SchemaNode, newNode: SchemaNode, place: SequencePlace, found: FoundChange[]): void {
  const where = inWhere(place);
  if (isOperationNode(oldNode) && isOperationNode(newNode)) {
    if (oldNode.kind !== newNode.kind) {
      const summary = `${describeNode(oldNode)} became ${describeNode(newNode)}${where}`;
      found.push(breakingChange('kind-changed', newNode, oldNode, summary, REASONS.kindChanged));
    } else if (oldNode.kind === 'invoke' && newNode.kind === 'invoke') {
      const summary = `${describeNode(oldNode)} now calls '${newNode.target ?? '(computed at run time)'}'${where}`;
      found.push(breakingChange('target-changed', newNode, oldNode, summary, REASONS.targetChanged));
    } else {
      const newName = !('name' in newNode)
        ? `'${newNode.kind}'`
        : newNode.name !== null
          ? `'${newNode.name}'`
          : (newNode.nameExpression ?? '(computed at run time)');
      const summary = `${describeNode(oldNode)} renamed to ${newName}${where}`;
      found.push(breakingChange('renamed', newNode, oldNode, summary, REASONS.renamed));
    }
    return;
  }
  // Whichever path a condition picks, if every path records the same, the condition decides nothing the journal sees.
  if (oldNode.kind === 'branch' && newNode.kind === 'branch') {
    const paths = [...oldNode.paths, ...newNode.paths];
    if (paths.every((path) => sameIgnoringLines(path, paths[0]))) return;
  }
  if (oldNode.kind === 'opaque' && newNode.kind === 'opaque') {
    const summary = `${describeNode(oldNode)} became ${describeNode(newNode)}${where}`;
    found.push(breakingChange('opaque-changed', newNode, oldNode, summary, REASONS.opaqueChanged));
    return;
  }
  const isSameText = describeNode(oldNode) === describeNode(newNode);
  const summary = isSameText
    ? `${describeNode(newNode)} now reads ${usesList(newNode)} (was ${usesList(oldNode)})${where}`
    : `${describeNode(oldNode)} became ${describeNode(newNode)}${where}`;
  const reason = newNode.kind === 'loop' && oldNode.kind === 'loop' ? REASONS.loopChanged : REASONS.conditionChanged;
  found.push(breakingChange('control-flow-changed', newNode, oldNode, summary, reason));
}

function usesList(node: SchemaNode): string {
  const uses = 'uses' in node ? node.uses : undefined;
  return (uses ?? []).map((use) => `\`${use}\``).join(', ') || 'no constant';
}

/** A node for "inserted" and "removed": a branch that only exits says how (`` `if (input.express)` with a `return` ``). */
function describeAdded(node: SchemaNode): string {
  if (node.kind !== 'branch' || !isExitOnly(node)) return describeNode(node);
  const forms = [...new Set(exitForms(node))].map((form) => `\`${form}\``);
  return `${describeNode(node)} with a ${forms.join(' or a ')}`;
}

function exitForms(node: SchemaNode): string[] {
  if (node.kind === 'exit') return [node.form];
  return node.kind === 'branch' ? node.paths.flat().flatMap(exitForms) : [];
}

/** An exit, or control flow holding nothing but exits: it changes which operations run, records none itself. */
function isExitOnly(node: SchemaNode): boolean {
  return node.kind === 'exit' || (node.kind === 'branch' && !recordsOperation([node]));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}
