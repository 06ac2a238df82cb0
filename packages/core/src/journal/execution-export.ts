import { JournalFormatError } from '../errors.js';
import { deserialize } from '../serde/serialize.js';
import type { ExecutionRecord, ExecutionStatus, OperationKind, OperationRecord, OperationStatus } from './records.js';

/**
 * The file format of one exported execution: what `durable-gen executions
 * export` prints and `durable-gen replay` reads, so a journal can be kept
 * (with a bug report, or committed as a test fixture) and replayed against
 * later code.
 *
 * Version 1 is JSON of {@link ExecutionExport}: the execution's record as the
 * store keeps it, without its callback-signing secret, and every record of its
 * journal, raw: inputs, results and errors stay the serialized strings the
 * store holds (see serde/), times are epoch ms. A reader ignores fields it
 * does not know; a change that a version 1 reader would misread gets a new
 * version number.
 */
export interface ExecutionExport {
  format: 'durable-execution';
  version: 1;
  execution: PublicExecution;
  /** The journal, in position order. */
  journal: OperationRecord[];
}

/** An execution as tools see it: the stored record without its callback-signing secret, which never leaves the store. */
export type PublicExecution = Omit<ExecutionRecord, 'secret'>;

/** The `format` field of an {@link ExecutionExport}. */
export const EXECUTION_EXPORT_FORMAT = 'durable-execution';

/** The export of an execution and its journal, the secret left out. */
export function exportExecution(execution: ExecutionRecord, journal: OperationRecord[]): ExecutionExport {
  return { format: EXECUTION_EXPORT_FORMAT, version: 1, execution: publicExecution(execution), journal };
}

/** An execution's record as it may be shown or exported: without its secret. */
export function publicExecution(record: ExecutionRecord): PublicExecution {
  const { secret: _secret, ...rest } = record;
  return rest;
}

const EXECUTION_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUSPENDED', 'SUCCEEDED', 'FAILED'];
const OPERATION_STATUSES: readonly OperationStatus[] = ['STARTED', 'RETRYING', 'SUCCEEDED', 'FAILED'];
const OPERATION_KINDS: readonly OperationKind[] = [
  'step',
  'sleep',
  'now',
  'random',
  'uuid',
  'invoke',
  'callback',
  'parallel',
  'map',
];
/**
 * Parallel/map levels a position may nest: far more than code nests (each level is a `ctx.parallel` or `ctx.map`
 * inside a branch of another), and few enough that no position costs replay more than a glance.
 */
const MAX_POSITION_NESTING = 32;
/** `3`, or `7.2.1`: operation 1 of branch 2 of the parallel at 7; each number a counter, at most 15 digits. */
const POSITION = new RegExp(`^[1-9]\\d{0,14}(\\.[1-9]\\d{0,14}\\.[1-9]\\d{0,14}){0,${MAX_POSITION_NESTING}}$`);
/** Kinds whose records the engine writes once, at attempt 1: a wait or a parallel/map marker is never retried. */
const SINGLE_ATTEMPT_KINDS: ReadonlySet<OperationKind> = new Set(['sleep', 'callback', 'parallel', 'map']);

/**
 * Reads a parsed JSON value as an {@link ExecutionExport}, checking every field
 * replay relies on. What is returned holds only the fields of the format.
 *
 * @param source Where the value came from (a file name), for the error message.
 * @throws JournalFormatError naming the first field that is wrong, by its path (`journal[3].status`).
 */
export function parseExecutionExport(value: unknown, source: string): ExecutionExport {
  const root = new Fields(value, '$', source);
  const format = root.field('format');
  if (format.value !== EXECUTION_EXPORT_FORMAT) format.fail(`must be '${EXECUTION_EXPORT_FORMAT}'`);
  const version = root.field('version');
  if (version.value !== 1) version.fail('must be 1, the only version this package reads');
  const journalField = root.field('journal');
  if (!Array.isArray(journalField.value)) journalField.fail('must be an array of operation records');
  const journal = (journalField.value as unknown[]).map((item, index) =>
    parseOperation(new Fields(item, `journal[${index}]`, source)),
  );
  const seen = new Map<string, number>();
  journal.forEach((record, index) => {
    const earlier = seen.get(record.position);
    if (earlier !== undefined) {
      throw new JournalFormatError(
        source,
        `journal[${index}].position`,
        `repeats position ${record.position} of journal[${earlier}]`,
      );
    }
    seen.set(record.position, index);
  });
  return {
    format: EXECUTION_EXPORT_FORMAT,
    version: 1,
    execution: parseExecution(root.field('execution')),
    journal,
  };
}

function parseExecution(fields: Fields): PublicExecution {
  const record: PublicExecution = {
    service: fields.string('service'),
    executionId: fields.string('executionId'),
    workflow: fields.string('workflow'),
    status: fields.oneOf('status', EXECUTION_STATUSES),
    input: fields.serialized('input'),
    inputHash: fields.string('inputHash'),
    createdAt: fields.number('createdAt'),
    updatedAt: fields.number('updatedAt'),
    invocations: fields.integer('invocations', 0),
  };
  copyOptional(record, 'output', fields.optionalSerialized('output'));
  copyOptional(record, 'error', fields.optionalSerialized('error'));
  copyOptional(record, 'leaseOwner', fields.optional('leaseOwner', 'string'));
  copyOptional(record, 'leaseExpiresAt', fields.optional('leaseExpiresAt', 'number'));
  copyOptional(record, 'resumeAt', fields.optional('resumeAt', 'number'));
  copyOptional(record, 'timeoutAt', fields.optional('timeoutAt', 'number'));
  copyOptional(record, 'expiresAt', fields.optional('expiresAt', 'number'));
  const pinned = fields.field('pinnedVersion');
  if (pinned.value !== undefined) {
    record.pinnedVersion = { functionArn: pinned.string('functionArn'), version: pinned.string('version') };
  }
  return record;
}

function parseOperation(fields: Fields): OperationRecord {
  const position = fields.string('position');
  if (!POSITION.test(position)) {
    fields
      .field('position')
      .fail(
        `must be a position such as '3' or '7.2.1', nested at most ${MAX_POSITION_NESTING} parallel/map levels deep`,
      );
  }
  const record: OperationRecord = {
    position,
    kind: fields.oneOf('kind', OPERATION_KINDS),
    name: fields.string('name'),
    argsHash: fields.string('argsHash'),
    status: fields.oneOf('status', OPERATION_STATUSES),
    attempt: fields.integer('attempt', 1),
    updatedAt: fields.number('updatedAt'),
    epoch: fields.integer('epoch', 0),
  };
  copyOptional(record, 'args', fields.optional('args', 'string'));
  if (record.attempt !== 1 && SINGLE_ATTEMPT_KINDS.has(record.kind)) {
    fields.field('attempt').fail(`must be 1 for a ${record.kind} record: the engine never retries one`);
  }
  copyOptional(record, 'result', fields.optionalSerialized('result'));
  copyOptional(record, 'error', fields.optionalSerialized('error'));
  copyOptional(record, 'wakeAt', fields.optional('wakeAt', 'number'));
  copyOptional(record, 'owner', fields.optional('owner', 'string'));
  copyOptional(record, 'retryAt', fields.optional('retryAt', 'number'));
  copyOptional(record, 'timeoutAt', fields.optional('timeoutAt', 'number'));
  copyOptional(record, 'expiresAt', fields.optional('expiresAt', 'number'));
  const follows = fields.field('follows');
  if (follows.value !== undefined) {
    record.follows = { position: follows.string('position'), epoch: follows.integer('epoch', 0) };
  }
  const semantics = fields.field('semantics');
  if (semantics.value !== undefined) {
    if (semantics.value !== 'at-most-once') semantics.fail("must be 'at-most-once' when present");
    record.semantics = 'at-most-once';
  }
  return record;
}

function copyOptional<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** One value at a path of the parsed JSON, and the checks of its fields. */
class Fields {
  constructor(
    readonly value: unknown,
    readonly path: string,
    readonly source: string,
  ) {}

  fail(problem: string): never {
    throw new JournalFormatError(this.source, this.path, problem);
  }

  field(name: string): Fields {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      this.fail('must be an object');
    }
    const at = this.path === '$' ? name : `${this.path}.${name}`;
    return new Fields((this.value as Record<string, unknown>)[name], at, this.source);
  }

  string(name: string): string {
    const field = this.field(name);
    if (typeof field.value !== 'string') field.fail(wrongType('a string', field.value));
    return field.value as string;
  }

  number(name: string): number {
    const field = this.field(name);
    if (typeof field.value !== 'number' || !Number.isFinite(field.value)) {
      field.fail(wrongType('a number', field.value));
    }
    return field.value as number;
  }

  integer(name: string, min: number): number {
    const value = this.number(name);
    if (!Number.isInteger(value) || value < min) this.field(name).fail(`must be a whole number of at least ${min}`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value)) {
      this.field(name).fail(`must be one of ${allowed.join(', ')}, not '${value}'`);
    }
    return value as T;
  }

  /** A serialized value (see serde/): a string replay can read back. */
  serialized(name: string): string {
    const text = this.string(name);
    try {
      deserialize(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.field(name).fail(
        `must be a value as the engine serializes it, and reading it fails: ${shorten(reason, 100)}`,
      );
    }
    return text;
  }

  optionalSerialized(name: string): string | undefined {
    return this.field(name).value === undefined ? undefined : this.serialized(name);
  }

  optional(name: string, type: 'string'): string | undefined;
  optional(name: string, type: 'number'): number | undefined;
  optional(name: string, type: 'string' | 'number'): string | number | undefined {
    if (this.field(name).value === undefined) return undefined;
    return type === 'string' ? this.string(name) : this.number(name);
  }
}

function wrongType(expected: string, value: unknown): string {
  if (value === undefined) return `is missing (${expected})`;
  if (value === null) return `must be ${expected}, not null`;
  if (Array.isArray(value)) return `must be ${expected}, not an array`;
  if (typeof value === 'string') return `must be ${expected}, not the string '${shorten(value)}'`;
  return `must be ${expected}, not ${typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`}`;
}

/** `text` cut to `max` characters: a bad value or a reason quoted on one line, enough to recognise it. */
function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
