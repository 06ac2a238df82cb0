import type { FunctionRecord } from './function-record.js';
import { isPending } from './function-record.js';
import type { FunctionRegistry } from './function-registry.js';
import { type ArnScope, functionArn, parseFunctionRef } from './lambda-arn.js';
import { conflict, invalidParameter, preconditionFailed } from './lambda-error.js';
import type { StateFolder } from './state-folder.js';

/** What every control-plane operation works with. */
export interface ControlPlane {
  registry: FunctionRegistry;
  folder: StateFolder;
  scope: ArnScope;
  /** How long a created or updated function stays Pending / InProgress. */
  pendingMs: number;
  /** One line per change, for the person running `durable-gen dev`. */
  log(line: string): void;
  /** This server's URL, for links it hands out (GetFunction's code location). */
  url(): string;
}

/** An operation's answer: a status and a JSON body, or no body. */
export interface Reply {
  status: number;
  body?: unknown;
}

/** The function a path names, where the operation takes no qualifier in the name. */
export function unqualifiedName(plane: ControlPlane, text: string): string {
  const ref = parseFunctionRef(text, plane.scope);
  if (ref.qualifier !== undefined) {
    throw invalidParameter(`This operation takes the function without a qualifier: '${text}' names ${ref.qualifier}.`);
  }
  return ref.name;
}

/**
 * Refuses a change while `$LATEST` is still being created or updated, as
 * Lambda does: callers wait with `waitUntilFunctionActiveV2` or
 * `waitUntilFunctionUpdatedV2` first.
 */
export function requireUpdatable(plane: ControlPlane, record: FunctionRecord): void {
  const latest = record.latest;
  if (!isPending(latest)) return;
  if (latest.pendingKind === 'create') {
    throw conflict(
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
    );
  }
  throw conflict(
    'The operation cannot be performed at this time. An update is in progress for resource: ' +
      functionArn(plane.scope, record.name),
  );
}

/** Refuses a change made against another revision than the current one. */
export function requireRevision(expected: string | undefined, current: string, what = 'function'): void {
  if (expected === undefined || expected === current) return;
  throw preconditionFailed(
    'The Revision Id provided does not match the latest Revision Id. ' +
      `Call the ${what === 'alias' ? 'GetAlias' : 'GetFunction'} API to retrieve the latest Revision Id`,
  );
}

/** One page of a listing, by the opaque `Marker` and `MaxItems` of Lambda's list operations. */
export function page<T>(
  items: readonly T[],
  query: URLSearchParams,
  maxLimit = 10_000,
): { items: T[]; nextMarker?: string } {
  const start = Number(query.get('Marker') ?? '0');
  const requested = query.get('MaxItems');
  const size = requested === null ? 50 : Number(requested);
  if (!Number.isInteger(start) || start < 0) throw invalidParameter('Marker is not one this API handed out.');
  if (!Number.isInteger(size) || size < 1 || size > maxLimit) {
    throw invalidParameter(`MaxItems must be a whole number from 1 to ${maxLimit}.`);
  }
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextMarker: String(start + size) } : { items: slice };
}

/** The first characters of a code hash, for log lines. */
export function shortSha(codeHex: string): string {
  return `${codeHex.slice(0, 8)}…`;
}
