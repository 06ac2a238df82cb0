import type { SchemaChangeCode } from './diff.js';
import type { SchemaNode } from './schema-nodes.js';

/** A change inside one workflow, before diff.ts says which service, workflow and file it belongs to. */
export interface FoundChange {
  classification: 'safe' | 'breaking';
  change: SchemaChangeCode;
  /** In the new source, or in the old one when {@link inOldSource} (a removal). */
  line: number;
  oldLine?: number;
  inOldSource: boolean;
  summary: string;
  reason: string;
}

/**
 * Where a sequence of nodes sits, as the journal sees positions: each workflow, parallel branch and map
 * item counts its positions from 1 in call order, and control flow (branches, loops) takes its operations'
 * positions from the same counter as the code around it.
 */
export interface SequencePlace {
  /** No position the old code records in this counter comes after the sequence: an append there shifts nothing. */
  isTail: boolean;
  /** The sequence repeats in its counter (a loop body): whatever grows it shifts the next iteration. */
  inLoop: boolean;
  /** Under a parallel branch or a map item: an append there runs again for branches that already ran. */
  inBranch: boolean;
  /** The sequence for messages: `the workflow`, `branch 2 of parallel 'fan'`, `` `if (input.vip)` ``. */
  where: string;
}

/** A breaking change of a node that is in both versions, at its new line. */
export function breakingChange(
  change: SchemaChangeCode,
  newNode: SchemaNode,
  oldNode: SchemaNode,
  summary: string,
  reason: string,
): FoundChange {
  return {
    classification: 'breaking',
    change,
    line: newNode.line,
    oldLine: oldNode.line,
    inOldSource: false,
    summary,
    reason,
  };
}

/** ` in branch 2 of parallel 'fan'`, or nothing at the top of the workflow: the end of a summary. */
export function inWhere(place: SequencePlace): string {
  return place.where === 'the workflow' ? '' : ` in ${place.where}`;
}
