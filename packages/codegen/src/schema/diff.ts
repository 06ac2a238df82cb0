import type { Manifest, ManifestService, ManifestWorkflow } from '../emit/manifest.js';
import type { FoundChange } from './diff-found.js';
import { REASONS } from './diff-reasons.js';
import { compareSequences } from './diff-sequence.js';
import type { OpaqueNode, SchemaNode } from './schema-nodes.js';

/** Whether executions running on the old code still replay on the new code. */
export type ChangeClass = 'safe' | 'breaking';

/**
 * The stable codes of {@link SchemaChange.change}:
 * - `service-added` (safe), `service-removed` (breaking): a whole service (workflow `''`);
 * - `workflow-added` (safe), `workflow-removed` (breaking: its running executions have no code to resume on);
 * - `appended` (safe): an operation after every position the old code can record (the end of the workflow, of a
 *   parallel branch or map item, of a branch path nothing follows);
 * - `inserted`, `removed`, `renamed`, `reordered`, `kind-changed`, `moved` (into or out of a branch or loop);
 * - `arguments-changed` (a step's arguments, an invoke's input, a map's items), `duration-changed` (a sleep),
 *   `timeout-changed` (a callback), `target-changed` (an invoke), `branches-changed` (a parallel's branches);
 * - `semantics-changed` (safe: the engine keeps the semantics a step was recorded with);
 * - `control-flow-changed`: a condition or loop header that decides which operations run;
 * - `opaque-changed`: code outside the class that records operations codegen cannot see;
 * - `opaque-code`: either version holds code whose changes leave no trace in the schema (a step taken as a
 *   value, a function that cannot be resolved), changed or not: only `durable-gen replay` can tell whether
 *   running executions replay, so diff does not call the workflow safe;
 * - `steps-changed`: the old manifest has no operation schema (an older durable-gen wrote it) and its steps differ.
 * Every code but those marked safe is breaking.
 */
export type SchemaChangeCode =
  | 'service-added'
  | 'service-removed'
  | 'workflow-added'
  | 'workflow-removed'
  | 'appended'
  | 'inserted'
  | 'removed'
  | 'renamed'
  | 'reordered'
  | 'kind-changed'
  | 'moved'
  | 'arguments-changed'
  | 'duration-changed'
  | 'timeout-changed'
  | 'target-changed'
  | 'branches-changed'
  | 'semantics-changed'
  | 'control-flow-changed'
  | 'opaque-changed'
  | 'opaque-code'
  | 'steps-changed';

/** One difference between two versions of a workflow's operation schema, and what it means for running executions. */
export interface SchemaChange {
  service: string;
  /** `''` for a change of the whole service. */
  workflow: string;
  classification: ChangeClass;
  /** A {@link SchemaChangeCode}. */
  change: SchemaChangeCode;
  /** The service's source file in the new manifest (the old one for a removal). */
  file: string;
  /** Where in `file`. */
  line: number;
  /** Where the operation was in the old source, when it was there. */
  oldLine?: number;
  /** One line: `step 'charge' renamed to 'chargeCard'`. */
  summary: string;
  /** Why running executions do (or do not) replay across it. */
  reason: string;
}

/** What changed between two manifests. */
export interface SchemaDiff {
  changes: SchemaChange[];
  /** True when any change is breaking. */
  breaking: boolean;
}

/**
 * Compares the operation schemas of two manifests (contract: the journal's positions), service by service
 * and workflow by workflow, and classifies each change as safe or breaking for executions that ran on the
 * old code and resume on the new. A change is safe only when no execution recorded under the old code can
 * meet another operation at a position it recorded; changes the schema does not hold (retry policies, step
 * bodies, comments, lines) are not changes at all. Limit it to one service with `options.service`.
 */
export function diffManifests(old: Manifest, next: Manifest, options: { service?: string } = {}): SchemaDiff {
  const names = [...new Set([...Object.keys(old.services), ...Object.keys(next.services)])]
    .filter((name) => options.service === undefined || name === options.service)
    .sort();
  const changes: SchemaChange[] = [];
  for (const name of names) changes.push(...diffService(name, old.services[name], next.services[name]));
  return { changes, breaking: changes.some((change) => change.classification === 'breaking') };
}

function diffService(
  service: string,
  old: ManifestService | undefined,
  next: ManifestService | undefined,
): SchemaChange[] {
  if (old === undefined && next !== undefined) {
    return [
      {
        service,
        workflow: '',
        classification: 'safe',
        change: 'service-added',
        file: next.source,
        line: 1,
        summary: `service '${service}' added (${next.class})`,
        reason: 'no execution of it exists yet: new executions start on the new code',
      },
    ];
  }
  if (old !== undefined && next === undefined) {
    return [
      {
        service,
        workflow: '',
        classification: 'breaking',
        change: 'service-removed',
        file: old.source,
        line: 1,
        summary: `service '${service}' removed (${old.class})`,
        reason: 'its running executions cannot resume: no code replays them any more',
      },
    ];
  }
  if (old === undefined || next === undefined) return [];
  const changes: SchemaChange[] = [];
  const workflows = [...new Set([...Object.keys(old.workflows), ...Object.keys(next.workflows)])].sort();
  for (const workflow of workflows) {
    const before = old.workflows[workflow];
    const after = next.workflows[workflow];
    const at = { service, workflow };
    if (before === undefined && after !== undefined) {
      changes.push({
        ...at,
        classification: 'safe',
        change: 'workflow-added',
        file: next.source,
        line: firstLine(after),
        summary: `workflow '${workflow}' added`,
        reason: 'no execution of it exists yet: new executions start on the new code',
      });
    } else if (before !== undefined && after === undefined) {
      changes.push({
        ...at,
        classification: 'breaking',
        change: 'workflow-removed',
        file: old.source,
        line: firstLine(before),
        summary: `workflow '${workflow}' removed (or renamed)`,
        reason: 'its running executions cannot resume: the new code has no workflow of that name to replay them on',
      });
    } else if (before !== undefined && after !== undefined) {
      for (const found of diffWorkflow(before, after)) {
        const { inOldSource, ...change } = found;
        changes.push({ ...at, ...change, file: inOldSource ? old.source : next.source });
      }
    }
  }
  return changes;
}

/** A workflow entry as read from a file: manifests older than the operation schema have neither field. */
type StoredWorkflow = ManifestWorkflow & { operations?: SchemaNode[]; schemaHash?: string };

function diffWorkflow(old: StoredWorkflow, next: StoredWorkflow): FoundChange[] {
  if (old.operations === undefined || next.operations === undefined) {
    if (old.stepSchemaHash === next.stepSchemaHash) return [];
    return [
      {
        classification: 'breaking',
        change: 'steps-changed',
        line: firstLine(next),
        inOldSource: false,
        summary: `steps changed from ${old.steps.join(', ') || 'none'} to ${next.steps.join(', ') || 'none'}`,
        reason:
          'the old manifest has no operation schema (an older durable-gen wrote it), and the steps or their semantics ' +
          'differ: durable-gen replay tells whether running executions replay',
      },
    ];
  }
  const found: FoundChange[] = [];
  if (old.schemaHash === undefined || old.schemaHash !== next.schemaHash) {
    compareSequences(
      old.operations,
      next.operations,
      { isTail: true, inLoop: false, inBranch: false, where: 'the workflow' },
      found,
    );
  }
  found.sort((a, b) => a.line - b.line);
  // Code the schema cannot see into may have changed with no trace in it (a bound step, an unresolved function).
  const newOpaque = firstBlind(next.operations);
  const opaque = newOpaque ?? firstBlind(old.operations);
  if (opaque !== undefined) {
    found.push({
      classification: 'breaking',
      change: 'opaque-code',
      line: opaque.line,
      inOldSource: newOpaque === undefined,
      summary: `\`${opaque.call}\` contains code durable-gen cannot see into: durable-gen replay proves it`,
      reason: REASONS.opaqueCode,
    });
  }
  return found;
}

/**
 * The first opaque node of a schema, at any depth, whose change would leave no trace in the schema. Not a
 * recursive call (the method's body is in the schema where it is first called) nor a function whose code is
 * hashed into the node (a change of it is `opaque-changed`).
 */
function firstBlind(nodes: readonly SchemaNode[]): OpaqueNode | undefined {
  for (const node of nodes) {
    if (node.kind === 'opaque' && node.reason !== 'recursive' && node.codeHash === undefined) return node;
    const inner =
      node.kind === 'branch'
        ? node.paths
        : node.kind === 'loop' || node.kind === 'map'
          ? [node.body]
          : node.kind === 'parallel'
            ? (node.branches ?? [])
            : [];
    for (const sequence of inner) {
      const found = firstBlind(sequence);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function firstLine(workflow: StoredWorkflow): number {
  return workflow.operations?.[0]?.line ?? 1;
}
