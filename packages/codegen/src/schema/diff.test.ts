import { describe, expect, it } from 'vitest';
import type { Manifest, ManifestService } from '../emit/manifest.js';
import { diffManifests, type SchemaChange } from './diff.js';
import { literalDurationMs } from './diff-durations.js';
import type { SchemaNode, StepNode } from './schema-nodes.js';

/**
 * `diffManifests` on hand-written schemas: the alignment of two versions and each classification's
 * corner (the proof against the engine, on real source files, is in diff-cases.test.ts).
 */

const step = (name: string, line: number, extra: Partial<StepNode> = {}): StepNode => ({
  kind: 'step',
  name,
  semantics: 'at-least-once',
  args: [],
  method: name,
  line,
  ...extra,
});
const sleep = (name: string, line: number, duration = '{ hours: 1 }'): SchemaNode => ({
  kind: 'sleep',
  name,
  duration,
  line,
});
const ifThen = (condition: string, line: number, then: SchemaNode[], otherwise: SchemaNode[] = []): SchemaNode => ({
  kind: 'branch',
  form: 'if',
  condition,
  paths: [then, otherwise],
  line,
});
const loop = (header: string, line: number, body: SchemaNode[]): SchemaNode => ({ kind: 'loop', header, body, line });
const parallel = (name: string, line: number, branches: SchemaNode[][] | null): SchemaNode => ({
  kind: 'parallel',
  name,
  branches,
  line,
});

function service(workflows: Record<string, SchemaNode[]>, source = 'src/orders.ts'): ManifestService {
  return {
    class: 'OrderService',
    source,
    functionName: 'orders',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders',
    account: '123456789012',
    region: 'eu-west-1',
    table: 'durable-executions',
    backend: 'dynamodb',
    client: 'OrdersClient',
    targetArnEnv: 'DURABLE_ORDERS_ARN',
    invokes: [],
    workflows: Object.fromEntries(
      Object.entries(workflows).map(([name, operations]) => [
        name,
        { steps: [], stepSchemaHash: '0000000000000000', operations, schemaHash: JSON.stringify(operations) },
      ]),
    ),
    coreVersion: '0.1.0',
    bundle: null,
    deployment: null,
  } as ManifestService;
}

function manifest(services: Record<string, ManifestService>): Manifest {
  return { generatedBy: 'durable-gen test', coreVersion: '0.1.0', services };
}

/** The changes of workflow `run` going from `before` to `after`, as `[change, classification]` pairs. */
function changesOf(before: SchemaNode[], after: SchemaNode[]): SchemaChange[] {
  return diffManifests(manifest({ orders: service({ run: before }) }), manifest({ orders: service({ run: after }) }))
    .changes;
}

function codes(before: SchemaNode[], after: SchemaNode[]): string[] {
  return changesOf(before, after).map((change) => `${change.change} ${change.classification}`);
}

describe('diffManifests', () => {
  it('finds nothing when only lines moved', () => {
    expect(codes([step('a', 3), sleep('hold', 4)], [step('a', 10), sleep('hold', 12)])).toEqual([]);
  });

  it('names the change, where it is in the new source, and where it was', () => {
    const [change] = changesOf([step('charge', 5), sleep('hold', 6)], [step('chargeCard', 7), sleep('hold', 8)]);
    expect(change).toEqual({
      service: 'orders',
      workflow: 'run',
      classification: 'breaking',
      change: 'renamed',
      file: 'src/orders.ts',
      line: 7,
      oldLine: 5,
      summary: "step 'charge' renamed to 'chargeCard'",
      reason: expect.stringMatching(/journal names/),
    });
  });

  it('says a removal is on its line of the old source', () => {
    const old = manifest({ orders: service({ run: [step('a', 5), step('b', 6)] }, 'src/old-orders.ts') });
    const next = manifest({ orders: service({ run: [step('a', 5)] }) });
    expect(diffManifests(old, next).changes).toMatchObject([
      { change: 'removed', file: 'src/old-orders.ts', line: 6, summary: "step 'b' removed" },
    ]);
  });

  it('is safe to append at the end of the workflow, of a parallel branch, of a path nothing follows', () => {
    expect(codes([step('a', 1)], [step('a', 1), step('b', 2)])).toEqual(['appended safe']);
    expect(
      codes([parallel('fan', 1, [[step('a', 2)], []])], [parallel('fan', 1, [[step('a', 2), step('b', 3)], []])]),
    ).toEqual(['appended safe']);
    expect(codes([ifThen('c', 1, [step('a', 2)])], [ifThen('c', 1, [step('a', 2), step('b', 3)])])).toEqual([
      'appended safe',
    ]);
    expect(codes([ifThen('c', 1, [step('a', 2)])], [ifThen('c', 1, [step('a', 2)], [step('b', 4)])])).toEqual([
      'appended safe',
    ]);
  });

  it('breaks on an append that something recorded later follows: a path before other operations, a loop body, a try block', () => {
    expect(
      codes(
        [ifThen('c', 1, [step('a', 2)]), step('z', 3)],
        [ifThen('c', 1, [step('a', 2), step('b', 3)]), step('z', 4)],
      ),
    ).toEqual(['inserted breaking']);
    expect(
      codes(
        [loop('for (const x of xs)', 1, [step('a', 2)])],
        [loop('for (const x of xs)', 1, [step('a', 2), step('b', 3)])],
      ),
    ).toEqual(['inserted breaking']);
    const tryBlock = (body: SchemaNode[]): SchemaNode => ({
      kind: 'branch',
      form: 'try',
      condition: '',
      paths: [body, [], [step('cleanup', 9)]],
      line: 1,
    });
    expect(codes([tryBlock([step('a', 2)])], [tryBlock([step('a', 2), step('b', 3)])])).toEqual(['inserted breaking']);
  });

  it('tells a reorder, a move into a branch and out of one apart from removals and insertions', () => {
    expect(codes([step('a', 1), step('b', 2), step('c', 3)], [step('b', 1), step('a', 2), step('c', 3)])).toEqual([
      'reordered breaking',
    ]);
    expect(codes([step('a', 1), step('z', 2)], [ifThen('vip', 1, [step('a', 2)]), step('z', 3)])).toEqual([
      'moved breaking',
    ]);
    expect(codes([ifThen('vip', 1, [step('a', 2)]), step('z', 3)], [step('a', 1), step('z', 2)])).toEqual([
      'moved breaking',
    ]);
  });

  it('breaks on another kind, argument, duration, timeout, target, branch count, condition or loop header', () => {
    expect(codes([step('pause', 1)], [sleep('pause', 1)])).toEqual(['kind-changed breaking']);
    expect(codes([step('a', 1, { args: ['input.x'] })], [step('a', 1, { args: ['input.x', '2'] })])).toEqual([
      'arguments-changed breaking',
    ]);
    expect(codes([sleep('cool', 1, '{ minutes: 5 }')], [sleep('cool', 1, '{ minutes: 50 }')])).toEqual([
      'duration-changed breaking',
    ]);
    const callback = (timeout: string | null): SchemaNode => ({ kind: 'callback', name: 'ok', timeout, line: 1 });
    expect(codes([callback('{ hours: 1 }')], [callback(null)])).toEqual(['timeout-changed breaking']);
    const invoke = (target: string, input = 'input'): SchemaNode => ({ kind: 'invoke', target, input, line: 1 });
    expect(codes([invoke('mail.send')], [invoke('mail.post')])).toEqual(['target-changed breaking']);
    expect(codes([invoke('mail.send')], [invoke('mail.send', '{ to: input.to }')])).toEqual([
      'arguments-changed breaking',
    ]);
    expect(codes([parallel('fan', 1, [[], []])], [parallel('fan', 1, [[], [], []])])).toEqual([
      'branches-changed breaking',
    ]);
    expect(codes([ifThen('input.vip', 1, [step('a', 2)])], [ifThen('!input.vip', 1, [step('a', 2)])])).toEqual([
      'control-flow-changed breaking',
    ]);
    expect(
      codes([loop('for (const x of xs)', 1, [step('a', 2)])], [loop('for (const x of ys)', 1, [step('a', 2)])]),
    ).toEqual(['control-flow-changed breaking']);
  });

  it('breaks when a switch maps its cases to other paths, or code outside the class changed', () => {
    const select = (clauses: string[]): SchemaNode => ({
      kind: 'branch',
      form: 'switch',
      condition: 'input.kind',
      clauses,
      paths: [[step('a', 2)], [step('b', 4)]],
      line: 1,
    });
    expect(codes([select(["'x'", "'y'"])], [select(["'y'", "'x'"])])).toEqual(['control-flow-changed breaking']);
    const opaque = (call: string): SchemaNode => ({ kind: 'opaque', call, reason: 'external-function', line: 1 });
    expect(codes([opaque('audit(ctx)')], [opaque('auditAll(ctx)')])).toEqual([
      'opaque-changed breaking',
      'opaque-code breaking',
    ]);
    const hashed = (codeHash: string): SchemaNode => ({ ...opaque('audit(ctx)'), codeHash }) as SchemaNode;
    expect(codes([hashed('1111111111111111')], [hashed('2222222222222222')])).toEqual(['opaque-changed breaking']);
  });

  it('trusts opaque code whose changes would show: a hashed function, a recursive call (its body is walked once)', () => {
    const hashed: SchemaNode = {
      kind: 'opaque',
      call: 'audit(ctx)',
      reason: 'external-function',
      codeHash: '1111111111111111',
      line: 1,
    } as SchemaNode;
    const recursive: SchemaNode = { kind: 'opaque', call: 'this.walk(ctx, rest)', reason: 'recursive', line: 2 };
    expect(codes([step('a', 1), hashed, recursive], [step('a', 1), hashed, recursive])).toEqual([]);
  });

  it('never calls a workflow safe while either version holds code it cannot see into, changed or not', () => {
    const opaque: SchemaNode = { kind: 'opaque', call: 'audit(ctx)', reason: 'external-function', line: 3 };
    const inLoop: SchemaNode = { kind: 'loop', header: 'for (const x of xs)', body: [opaque], line: 2 };
    expect(changesOf([step('a', 1), inLoop], [step('a', 1), inLoop])).toMatchObject([
      {
        change: 'opaque-code',
        classification: 'breaking',
        line: 3,
        summary: '`audit(ctx)` contains code durable-gen cannot see into: durable-gen replay proves it',
      },
    ]);
    expect(codes([step('a', 1), opaque], [step('a', 1)])).toEqual(['removed breaking', 'opaque-code breaking']);
  });

  it('breaks when an exit is added or removed before operations, and not at the end', () => {
    const exitIf = (form: 'return' | 'continue'): SchemaNode => ({
      kind: 'branch',
      form: 'if',
      condition: 'input.express',
      paths: [[{ kind: 'exit', form, line: 2 }], []],
      line: 2,
    });
    expect(codes([step('a', 1), step('b', 3)], [step('a', 1), exitIf('return'), step('b', 3)])).toEqual([
      'inserted breaking',
    ]);
    expect(codes([step('a', 1), exitIf('return'), step('b', 3)], [step('a', 1), step('b', 3)])).toEqual([
      'removed breaking',
    ]);
    const [inserted] = changesOf([step('a', 1), step('b', 3)], [step('a', 1), exitIf('return'), step('b', 3)]);
    expect(inserted?.summary).toBe("`if (input.express)` with a `return` inserted before step 'b'");
    expect(inserted?.reason).toMatch(/^a return, throw, break or continue decides which operations after it run/);
    expect(codes([exitIf('return'), step('b', 3)], [exitIf('continue'), step('b', 3)])).toEqual([
      'control-flow-changed breaking',
    ]);
    expect(codes([step('a', 1)], [step('a', 1), exitIf('return')])).toEqual(['appended safe']);
  });

  it('breaks when a constant an argument, duration or condition reads changed', () => {
    const reads = (node: SchemaNode, uses: string[]): SchemaNode => ({ ...node, uses }) as SchemaNode;
    expect(codes([reads(step('a', 1), ['n = 10'])], [reads(step('a', 1), ['n = 12'])])).toEqual([
      'arguments-changed breaking',
    ]);
    expect(
      codes(
        [reads(sleep('hold', 1, 'HOLD'), ['HOLD = { days: 1 }'])],
        [reads(sleep('hold', 1, 'HOLD'), ['HOLD = { days: 2 }'])],
      ),
    ).toEqual(['duration-changed breaking']);
    const branch = ifThen('flag', 1, [step('x', 2)], []);
    expect(
      codes(
        [reads(branch, ['flag = input.vip']), step('z', 5)],
        [reads(branch, ['flag = input.express']), step('z', 5)],
      ),
    ).toEqual(['control-flow-changed breaking']);
  });

  it('tells computed names apart by the expression that computes them', () => {
    const computed = (nameExpression: string): SchemaNode => ({
      kind: 'step',
      name: null,
      nameExpression,
      semantics: 'at-least-once',
      args: [],
      line: 1,
    });
    // The names are source text: a template literal as written.
    const [charge, pay] = ['`charge-', '`pay-'].map((prefix) => `${prefix}\${id}\``);
    expect(codes([computed(charge!)], [computed(charge!)])).toEqual([]);
    expect(codes([computed(charge!)], [computed(pay!)])).toEqual(['renamed breaking']);
  });

  it('ignores a condition that changed between paths that record the same', () => {
    expect(
      codes([ifThen('a', 1, [step('x', 2)], [step('x', 4)])], [ifThen('b', 1, [step('x', 2)], [step('x', 4)])]),
    ).toEqual([]);
  });

  it('sees durations of equal length as the same sleep, as the engine does', () => {
    expect(codes([sleep('cool', 1, '{ minutes: 60 }')], [sleep('cool', 1, '{ hours: 1 }')])).toEqual([]);
    expect(literalDurationMs('{ hours: 1, minutes: 30, }')).toBe(5_400_000);
    expect(literalDurationMs('{ ms: 1_500 }')).toBe(1_500);
    expect(literalDurationMs('{ ms: HOUR_MS }')).toBeUndefined();
    expect(literalDurationMs('timeout')).toBeUndefined();
  });

  it('calls a change of step semantics safe: the recorded semantics win on replay', () => {
    const [change] = changesOf([step('charge', 1, { semantics: 'at-most-once' })], [step('charge', 1)]);
    expect(change).toMatchObject({
      change: 'semantics-changed',
      classification: 'safe',
      summary: "step 'charge' is now at-least-once (was at-most-once)",
    });
  });

  it('reports added and removed workflows and services, and keeps to one service when asked', () => {
    const old = manifest({ orders: service({ run: [step('a', 3)], old: [step('b', 9)] }), mail: service({}) });
    const next = manifest({ orders: service({ run: [step('a', 3)], fresh: [step('c', 12)] }), bills: service({}) });
    expect(
      diffManifests(old, next).changes.map((c) => [c.service, c.workflow, c.change, c.classification, c.line]),
    ).toEqual([
      ['bills', '', 'service-added', 'safe', 1],
      ['mail', '', 'service-removed', 'breaking', 1],
      ['orders', 'fresh', 'workflow-added', 'safe', 12],
      ['orders', 'old', 'workflow-removed', 'breaking', 9],
    ]);
    const onlyOrders = diffManifests(old, next, { service: 'orders' });
    expect(onlyOrders.changes.map((c) => c.change)).toEqual(['workflow-added', 'workflow-removed']);
    expect(onlyOrders.breaking).toBe(true);
    expect(diffManifests(old, old).breaking).toBe(false);
  });

  it('falls back on the steps when the old manifest has no operation schema', () => {
    const old = manifest({ orders: service({ run: [step('a', 1)] }) });
    const next = manifest({ orders: service({ run: [step('a', 1)] }) });
    const legacy = old.services.orders!.workflows.run!;
    delete (legacy as { operations?: unknown }).operations;
    expect(diffManifests(old, next).changes).toEqual([]);
    legacy.stepSchemaHash = '1111111111111111';
    legacy.steps = ['a', 'b'];
    expect(diffManifests(old, next).changes).toMatchObject([
      { change: 'steps-changed', classification: 'breaking', summary: 'steps changed from a, b to none' },
    ]);
  });
});
