import { createHash } from 'node:crypto';
import type { SchemaNode } from './schema-nodes.js';

/**
 * The hash of a workflow's operation schema (the manifest's `schemaHash`): 16 hex characters of sha256 over the
 * canonical JSON of the nodes (keys sorted) with every `line` left out. It changes with any operation-level
 * change (a name, an argument, a duration, a branch) and not when code only moves or is reformatted.
 */
export function operationSchemaHash(nodes: readonly SchemaNode[]): string {
  return createHash('sha256').update(canonicalJson(nodes)).digest('hex').slice(0, 16);
}

/** JSON with object keys in sorted order and `line` dropped, so equal schemas hash the same wherever they sit. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([key, field]) => key !== 'line' && field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
