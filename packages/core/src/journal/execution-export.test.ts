import { describe, expect, it } from 'vitest';
import {
  type ExecutionRecord,
  exportExecution,
  isDurableError,
  type JournalFormatError,
  type OperationRecord,
  parseExecutionExport,
} from '../index.js';
import { thrownBy } from '../testing/fixtures.js';

const execution: ExecutionRecord = {
  service: 'orders',
  executionId: 'o-1',
  workflow: 'place',
  status: 'SUSPENDED',
  input: '{"id":"o-1"}',
  inputHash: 'abc',
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_001_000,
  invocations: 2,
  resumeAt: 1_700_003_600_000,
  timeoutAt: 1_700_086_400_000,
  expiresAt: 1_702_000_000_000,
  secret: 'never leaves the store',
  pinnedVersion: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders', version: '3' },
};

const journal: OperationRecord[] = [
  {
    position: '1',
    kind: 'step',
    name: 'reserve',
    argsHash: 'h1',
    args: '["o-1"]',
    status: 'SUCCEEDED',
    attempt: 1,
    result: '"r-1"',
    updatedAt: 1_700_000_000_500,
    epoch: 1,
    semantics: 'at-most-once',
  },
  {
    position: '2',
    kind: 'parallel',
    name: 'fan',
    argsHash: 'h2',
    status: 'STARTED',
    attempt: 1,
    updatedAt: 1_700_000_000_600,
    epoch: 2,
    follows: { position: '1', epoch: 1 },
  },
  {
    position: '2.1.1',
    kind: 'sleep',
    name: 'cool',
    argsHash: 'h3',
    status: 'STARTED',
    attempt: 1,
    wakeAt: 1_700_003_600_000,
    updatedAt: 1_700_000_000_700,
    epoch: 2,
  },
];

/** The export as a file holds it: JSON text, parsed back. */
function asFile(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function formatError(value: unknown): JournalFormatError {
  const error = thrownBy(() => parseExecutionExport(value, 'o-1.json'));
  expect(isDurableError(error, 'JOURNAL_FORMAT')).toBe(true);
  return error as JournalFormatError;
}

describe('the exported-execution format', () => {
  it('exports the record without its secret, and reads back exactly what it wrote', () => {
    const exported = exportExecution(execution, journal);
    expect(exported.format).toBe('durable-execution');
    expect(exported.version).toBe(1);
    expect(exported.execution).not.toHaveProperty('secret');

    expect(parseExecutionExport(asFile(exported), 'o-1.json')).toEqual(exported);
  });

  it('reads positions nested as deep as it allows, each counter up to 15 digits', () => {
    const deepest = `2${'.1.1'.repeat(31)}.999999999999999.1`;
    const file = asFile(exportExecution(execution, journal)) as Exported;
    Object.assign(file.journal[2]!, { position: deepest });

    expect(parseExecutionExport(file, 'o-1.json').journal[2]!.position).toBe(deepest);
  });

  it('keeps only the fields of the format: a secret or an unknown field in a file is dropped', () => {
    const file = asFile(exportExecution(execution, journal)) as { execution: Record<string, unknown> };
    file.execution.secret = 'pasted in by hand';
    file.execution.comment = 'from a bug report';

    const parsed = parseExecutionExport(file, 'o-1.json');

    expect(parsed.execution).not.toHaveProperty('secret');
    expect(parsed.execution).not.toHaveProperty('comment');
  });

  it.each([
    ['not an object', '$', 'must be an object'],
    [{ format: 'temporal-history', version: 1 }, 'format', "must be 'durable-execution'"],
    [{ format: 'durable-execution', version: 2 }, 'version', 'must be 1'],
  ])('refuses %j: at %s it %s', (value, path, problem) => {
    const error = formatError(value);
    expect(error.path).toBe(path);
    expect(error.problem).toContain(problem);
    expect(error.message).toContain(`o-1.json is not an exported execution: ${path} ${problem}`);
    expect(error.message).toContain('durable-gen executions export ID');
  });

  it.each([
    [
      'the execution',
      (f: Exported) => delete (f.execution as Partial<ExecutionRecord>).createdAt,
      'execution.createdAt',
      'is missing (a number)',
    ],
    [
      'its status',
      (f: Exported) => Object.assign(f.execution, { status: 'PAUSED' }),
      'execution.status',
      "not 'PAUSED'",
    ],
    [
      'its pinned version',
      (f: Exported) => Object.assign(f.execution, { pinnedVersion: { functionArn: 'arn' } }),
      'execution.pinnedVersion.version',
      'is missing',
    ],
    ['a journal that is no array', (f: Exported) => Object.assign(f, { journal: {} }), 'journal', 'must be an array'],
    [
      'a record status',
      (f: Exported) => Object.assign(f.journal[1]!, { status: 'DONE' }),
      'journal[1].status',
      'must be one of STARTED, RETRYING, SUCCEEDED, FAILED',
    ],
    [
      'a record kind',
      (f: Exported) => Object.assign(f.journal[0]!, { kind: 'activity' }),
      'journal[0].kind',
      "not 'activity'",
    ],
    [
      'a position',
      (f: Exported) => Object.assign(f.journal[2]!, { position: '2.1' }),
      'journal[2].position',
      "such as '3' or '7.2.1'",
    ],
    [
      'a repeated position',
      (f: Exported) => Object.assign(f.journal[2]!, { position: '1' }),
      'journal[2].position',
      'repeats position 1 of journal[0]',
    ],
    ['an attempt', (f: Exported) => Object.assign(f.journal[0]!, { attempt: 0 }), 'journal[0].attempt', 'at least 1'],
    [
      'a wake time',
      (f: Exported) => Object.assign(f.journal[2]!, { wakeAt: 'soon' }),
      'journal[2].wakeAt',
      "not the string 'soon'",
    ],
    [
      'an input that is not serialized',
      (f: Exported) => Object.assign(f.execution, { input: 'not json' }),
      'execution.input',
      'must be a value as the engine serializes it, and reading it fails: Unexpected token',
    ],
    [
      'an output that is not serialized',
      (f: Exported) => Object.assign(f.execution, { output: '{"id":' }),
      'execution.output',
      'reading it fails',
    ],
    [
      'a result that is not serialized',
      (f: Exported) => Object.assign(f.journal[0]!, { result: 'r-1' }),
      'journal[0].result',
      'reading it fails',
    ],
    [
      'an error that is not serialized',
      (f: Exported) => Object.assign(f.journal[0]!, { status: 'FAILED', error: '{oops}' }),
      'journal[0].error',
      'reading it fails',
    ],
    [
      'a parallel marker at another attempt',
      (f: Exported) => Object.assign(f.journal[1]!, { attempt: 2 }),
      'journal[1].attempt',
      'must be 1 for a parallel record',
    ],
    [
      'a sleep at another attempt',
      (f: Exported) => Object.assign(f.journal[2]!, { attempt: 3 }),
      'journal[2].attempt',
      'must be 1 for a sleep record',
    ],
    [
      'a position nested deeper than code nests',
      (f: Exported) => Object.assign(f.journal[2]!, { position: `2${'.1.1'.repeat(33)}` }),
      'journal[2].position',
      'nested at most 32 parallel/map levels deep',
    ],
    [
      'a position with a counter of 16 digits',
      (f: Exported) => Object.assign(f.journal[2]!, { position: '2.1.1000000000000000' }),
      'journal[2].position',
      "such as '3' or '7.2.1'",
    ],
    [
      'what a record follows',
      (f: Exported) => Object.assign(f.journal[1]!, { follows: { position: '1' } }),
      'journal[1].follows.epoch',
      'is missing',
    ],
  ])('says which field of %s is wrong', (_what, spoil, path, problem) => {
    const file = asFile(exportExecution(execution, journal)) as Exported;
    spoil(file);
    const error = formatError(file);
    expect(error.path).toBe(path);
    expect(error.problem).toContain(problem);
  });
});

type Exported = { execution: Record<string, unknown>; journal: Record<string, unknown>[] };
