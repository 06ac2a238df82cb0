import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../scanner/scan.js';
import { operationSchemaHash } from './schema-hash.js';
import type { SchemaNode } from './schema-nodes.js';

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** Line 1 of a workflow body given to {@link serviceSource}: `line(k)` is the line of its k-th line (from 0). */
const BODY_START = 8;
const line = (k: number) => BODY_START + k;

interface ServiceParts {
  /** The workflow's parameters. */
  parameters?: string;
  /** Lines after the class. */
  after?: string[];
  /** Members after the steps. */
  members?: string[];
}

/** A service `orders` whose workflow `run` has `body`, with steps `charge`, `mail` ('send-mail', at-most-once), `audit`. */
function serviceSource(body: string[], parts: ServiceParts = {}): string[] {
  return [
    "import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';",
    "import { NotifierServiceClient as Notifier } from '../generated/clients/notifier.js';",
    '',
    "@DurableService({ name: 'orders' })",
    'export class Orders {',
    '  @Workflow()',
    `  async run(${parts.parameters ?? 'ctx: DurableContext, input: { id: string; items: string[]; fast: boolean }'}) {`,
    ...body.map((text) => `    ${text}`),
    '  }',
    '  @Step()',
    '  async charge(...values: unknown[]) { return values.length; }',
    "  @Step({ name: 'send-mail', semantics: 'at-most-once' })",
    '  async mail(to: string) { return to; }',
    '  @Step()',
    '  async audit() { return 1; }',
    ...(parts.members ?? []).map((text) => `  ${text}`),
    '}',
    ...(parts.after ?? []),
  ];
}

/** Scans one service file (as `durable-gen` would) and returns its workflow's operation schema. */
function schemaOf(lines: string[]): SchemaNode[] {
  const root = mkdtempSync(path.join(tmpdir(), 'durable-schema-'));
  tempRoots.push(root);
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/orders.ts'), `${lines.join('\n')}\n`);
  const { model } = scan({ root, paths: ['src/orders.ts'], account: '123456789012', region: 'eu-west-1' });
  const [workflow] = model.services[0]!.workflows;
  return workflow!.operations;
}

/** The schema of a workflow body (and more parts of the service), lines left out: the shape under test. */
function shapeOf(body: string[], parts: ServiceParts = {}): unknown {
  return withoutLines(schemaOf(serviceSource(body, parts)));
}

function withoutLines(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLines);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'line')
        .map(([key, field]) => [key, withoutLines(field)]),
    );
  }
  return value;
}

const charge = (...args: string[]) => ({
  kind: 'step',
  name: 'charge',
  semantics: 'at-least-once',
  args,
  method: 'charge',
});
const mail = (to: string) => ({
  kind: 'step',
  name: 'send-mail',
  semantics: 'at-most-once',
  args: [to],
  method: 'mail',
});
const audit = { kind: 'step', name: 'audit', semantics: 'at-least-once', args: [], method: 'audit' };
const sleep = (name: string | null, duration: string) => ({ kind: 'sleep', name, duration });
const now = { kind: 'now' };

describe('operations', () => {
  it('records step methods with the name and semantics of their @Step, their arguments and lines', () => {
    const schema = schemaOf(
      serviceSource([
        'const paid = await this.charge(input.id,   /* the amount */ 100);',
        'await this.mail(',
        '  input.id,',
        ');',
        'return paid;',
      ]),
    );
    expect(schema).toEqual([
      { ...charge('input.id', '100'), line: line(0) },
      { ...mail('input.id'), line: line(1) },
    ]);
  });

  it('records inline steps: a literal name or null and the expression, and the semantics their options give', () => {
    expect(
      shapeOf([
        "await ctx.step('reserve', async () => input.id);",
        "await ctx.step('capture', () => this.charge(1), { semantics: 'at-most-once' });",
        'await ctx.step(`hold-` + input.id, () => 1);',
      ]),
    ).toEqual([
      { kind: 'step', name: 'reserve', semantics: 'at-least-once', args: [] },
      { kind: 'step', name: 'capture', semantics: 'at-most-once', args: [] },
      { kind: 'step', name: null, nameExpression: '`hold-` + input.id', semantics: 'at-least-once', args: [] },
    ]);
  });

  it('records sleeps, recorded values, callbacks and invokes', () => {
    expect(
      shapeOf([
        "await ctx.sleep('cool-down', { seconds: 30 });",
        "await ctx.sleep(input.id, '1h');",
        'const at = await ctx.now();',
        'const dice = await ctx.random();',
        'const id = await ctx.uuid();',
        "await ctx.waitForCallback('approval', (token) => send(token), { timeout: { hours: 24 } });",
        "await ctx.waitForCallback('ack', async () => {});",
        "await ctx.invoke({ service: 'billing', workflow: 'bill' }, { id: input.id });",
        "await ctx.invoke({ service: input.id, workflow: 'bill' }, input);",
        'await Notifier.notify(ctx, { pr: 1, findings: at });',
        "await Notifier['notify-all'](ctx, dice);",
      ]),
    ).toEqual([
      sleep('cool-down', '{ seconds: 30 }'),
      { ...sleep(null, "'1h'"), nameExpression: 'input.id' },
      now,
      { kind: 'random' },
      { kind: 'uuid' },
      { kind: 'callback', name: 'approval', timeout: '{ hours: 24 }' },
      { kind: 'callback', name: 'ack', timeout: null },
      { kind: 'invoke', target: 'billing.bill', input: '{ id: input.id }' },
      { kind: 'invoke', target: null, input: 'input' },
      { kind: 'invoke', target: 'notifier.notify', input: '{ pr: 1, findings: at }' },
      { kind: 'invoke', target: 'notifier.notify-all', input: 'dice' },
    ]);
  });

  it('reads the context whatever its parameter is called, and through an alias', () => {
    expect(
      shapeOf(['await durable.now();', 'const c = durable;', "await c.sleep('s', '1m');", 'await other.now();'], {
        parameters: 'durable: DurableContext, other: { now(): Promise<number> }',
      }),
    ).toEqual([now, sleep('s', "'1m'")]);
  });

  it('does not take a parameter that hides the context for the context', () => {
    expect(
      shapeOf([
        'input.items.forEach((ctx) => ctx.now());',
        "await ctx.map('m', input.items, async (ctx, index, inner) => { ctx.now(); await inner.uuid(); });",
      ]),
    ).toEqual([{ kind: 'map', name: 'm', items: 'input.items', body: [{ kind: 'uuid' }] }]);
  });

  it('records nothing for a context method that is not an operation, nor for the bodies of steps and submits', () => {
    expect(
      shapeOf([
        "ctx.logger.info('start', { id: ctx.executionId });",
        "await ctx.step('s', async () => { await this.audit(); });",
        "await ctx.waitForCallback('c', async (token) => { await this.mail(token); });",
      ]),
    ).toEqual([
      { kind: 'step', name: 's', semantics: 'at-least-once', args: [] },
      { kind: 'callback', name: 'c', timeout: null },
    ]);
  });
});

describe('parallel and map', () => {
  it('walks each parallel branch with its own context parameter', () => {
    expect(
      shapeOf([
        "await ctx.parallel('both', [",
        "  async (left) => { await left.sleep('l', '1s'); return this.charge(1); },",
        "  (right) => right.map('each', input.items, (item, index, inner) => inner.now()),",
        '  async () => this.audit(),',
        ']);',
      ]),
    ).toEqual([
      {
        kind: 'parallel',
        name: 'both',
        branches: [
          [sleep('l', "'1s'"), charge('1')],
          [{ kind: 'map', name: 'each', items: 'input.items', body: [now] }],
          [audit],
        ],
      },
    ]);
  });

  it('knows no branches when they are not an array of functions, and no map body for a computed function', () => {
    expect(
      shapeOf([
        "await ctx.parallel('computed', input.items.map((item) => async (c: DurableContext) => c.now()));",
        "await ctx.map('by-method', input.items, this.perItem.bind(this));",
      ]),
    ).toEqual([
      { kind: 'parallel', name: 'computed', branches: null },
      {
        kind: 'map',
        name: 'by-method',
        items: 'input.items',
        body: [{ kind: 'opaque', call: 'this.perItem.bind(this)', reason: 'computed-function' }],
      },
    ]);
  });

  it('follows a local function given as a branch or map function', () => {
    expect(
      shapeOf([
        'const each = async (item: string, index: number, c: DurableContext) => this.mail(item);',
        "await ctx.map('mails', input.items, each);",
      ]),
    ).toEqual([{ kind: 'map', name: 'mails', items: 'input.items', body: [mail('item')] }]);
  });
});

describe('helper methods and other code', () => {
  it('inlines helper methods where they are called, each time, with their own name for the context', () => {
    expect(
      shapeOf(['await this.settle(ctx, 1);', 'await this.settle(ctx, 2);', 'await this.tidy();'], {
        members: [
          'private async settle(context: DurableContext, amount: number) {',
          "  await context.sleep('settle', '1m');",
          '  return this.charge(amount);',
          '}',
          'private async tidy() { await this.audit(); }',
        ],
      }),
    ).toEqual([sleep('settle', "'1m'"), charge('amount'), sleep('settle', "'1m'"), charge('amount'), audit]);
  });

  it('does not take a helper parameter for the context unless the call gives it one', () => {
    expect(
      shapeOf(['await this.clock(input);'], {
        members: ['private async clock(ctx: { now(): Promise<number> }) { return ctx.now(); }'],
      }),
    ).toEqual([]);
  });

  it('records a recursive call of a helper that records operations as opaque, and nothing for one that does not', () => {
    expect(
      shapeOf(['await this.drain(ctx, input.items);', 'const total = this.sum(input.items.length);'], {
        members: [
          'private async drain(ctx: DurableContext, items: string[]): Promise<void> {',
          '  if (items.length === 0) return;',
          '  await this.charge(items[0]);',
          '  await this.drain(ctx, items.slice(1));',
          '}',
          'private sum(n: number): number { return n <= 0 ? 0 : n + this.sum(n - 1); }',
        ],
      }),
    ).toEqual([
      // The early return ends the helper before what follows it: it decides whether those operations run.
      { kind: 'branch', form: 'if', condition: 'items.length === 0', paths: [[{ kind: 'exit', form: 'return' }], []] },
      charge('items[0]'),
      { kind: 'opaque', call: 'this.drain(ctx, items.slice(1))', reason: 'recursive' },
    ]);
  });

  it('records a recursive call of the workflow itself as opaque', () => {
    expect(shapeOf(['await this.audit();', 'if (input.fast) await this.run(ctx, input);'])).toEqual([
      audit,
      {
        kind: 'branch',
        form: 'if',
        condition: 'input.fast',
        paths: [[{ kind: 'opaque', call: 'this.run(ctx, input)', reason: 'recursive' }], []],
      },
    ]);
  });

  it('inlines a function of the file outside the class; records other code given the context, or a function that records, as opaque', () => {
    expect(
      shapeOf(
        [
          'await remind(ctx, input.id);',
          'await retry(3, () => this.charge(input.id));',
          'await retry(3, () => input.id.length);',
          'console.log(input.id);',
          'const saga = new Saga(ctx);',
        ],
        { after: ['async function remind(ctx: DurableContext, id: string) { await ctx.sleep(id, "1d"); }'] },
      ),
    ).toEqual([
      { ...sleep(null, '"1d"'), nameExpression: 'id' },
      { kind: 'opaque', call: 'retry(3, () => this.charge(input.id))', reason: 'function-argument' },
      { kind: 'opaque', call: 'new Saga(ctx)', reason: 'external-function' },
    ]);
  });

  it('inlines local functions where they are called, and a helper calling the function it is given', () => {
    expect(
      shapeOf(
        [
          'const pay = async (amount: number) => this.charge(amount);',
          'function tick() { return ctx.now(); }',
          'await pay(5);',
          'await tick();',
          'await (async () => { await this.audit(); })();',
          'await this.twice(() => this.mail(input.id));',
        ],
        { members: ['private async twice(work: () => Promise<unknown>) { await work(); await work(); }'] },
      ),
    ).toEqual([charge('amount'), now, audit, mail('input.id'), mail('input.id')]);
  });
});

describe('control flow', () => {
  it('keeps if/else with the operations or exits of each path, and leaves out an if that holds neither', () => {
    expect(
      shapeOf([
        'if (input.id === "") throw new Error("no id");',
        'if (input.id === "-") console.log("dash");',
        'if (input.fast) {',
        '  await this.charge(1);',
        '} else if (input.items.length > 0) {',
        '  await this.audit();',
        '}',
      ]),
    ).toEqual([
      { kind: 'branch', form: 'if', condition: 'input.id === ""', paths: [[{ kind: 'exit', form: 'throw' }], []] },
      {
        kind: 'branch',
        form: 'if',
        condition: 'input.fast',
        paths: [
          [charge('1')],
          [{ kind: 'branch', form: 'if', condition: 'input.items.length > 0', paths: [[audit], []] }],
        ],
      },
    ]);
  });

  it('puts the operations of a condition before the branch it decides', () => {
    expect(shapeOf(['if ((await this.charge(1)) > 0) await this.audit();'])).toEqual([
      charge('1'),
      { kind: 'branch', form: 'if', condition: '(await this.charge(1)) > 0', paths: [[audit], []] },
    ]);
  });

  it('keeps switch with one path per clause and their labels', () => {
    expect(
      shapeOf([
        'switch (input.id) {',
        "  case 'a':",
        '    await this.charge(1);',
        '    break;',
        "  case 'b':",
        '    break;',
        '  default:',
        '    await this.audit();',
        '}',
      ]),
    ).toEqual([
      {
        kind: 'branch',
        form: 'switch',
        condition: 'input.id',
        // A `break` decides the clause does not fall through into the next one; the last one's skips nothing.
        paths: [[charge('1'), { kind: 'exit', form: 'break' }], [{ kind: 'exit', form: 'break' }], [audit]],
        clauses: ["'a'", "'b'", 'default'],
      },
    ]);
  });

  it('keeps ?:, &&, || and ?? whose right side records', () => {
    expect(
      shapeOf([
        'const a = input.fast ? await this.charge(1) : 0;',
        'input.fast && (await this.audit());',
        'const b = input.id || (await ctx.uuid());',
        'const c = input.items[0] ?? (await ctx.now());',
        'const d = input.fast ? 1 : 2;',
      ]),
    ).toEqual([
      { kind: 'branch', form: 'conditional', condition: 'input.fast', paths: [[charge('1')], []] },
      { kind: 'branch', form: 'conditional', condition: 'input.fast &&', paths: [[audit], []] },
      { kind: 'branch', form: 'conditional', condition: 'input.id ||', paths: [[{ kind: 'uuid' }], []] },
      { kind: 'branch', form: 'conditional', condition: 'input.items[0] ??', paths: [[now], []] },
    ]);
  });

  it('keeps try/catch/finally as a branch of three paths', () => {
    expect(
      shapeOf([
        'try {',
        '  await this.charge(1);',
        '} catch (error) {',
        '  await this.mail(String(error));',
        '} finally {',
        '  await this.audit();',
        '}',
        'try { await this.audit(); } finally { console.log("done"); }',
      ]),
    ).toEqual([
      { kind: 'branch', form: 'try', condition: '', paths: [[charge('1')], [mail('String(error)')], [audit]] },
      { kind: 'branch', form: 'try', condition: '', paths: [[audit], [], []] },
    ]);
  });

  it('keeps every loop form whose body records, with what runs once before it', () => {
    expect(
      shapeOf([
        'for (let i = await ctx.now(); i < 3; i++) await this.charge(i);',
        'for (const item of input.items) { await this.mail(item); }',
        'for (const key in input) await ctx.sleep(key, "1s");',
        'while (input.items.length > 0) { await this.audit(); input.items.pop(); }',
        'do { await ctx.uuid(); } while (input.fast);',
        'for (const item of input.items) console.log(item);',
      ]),
    ).toEqual([
      now,
      { kind: 'loop', header: 'for (let i = await ctx.now(); i < 3; i++)', body: [charge('i')] },
      { kind: 'loop', header: 'for (const item of input.items)', body: [mail('item')] },
      { kind: 'loop', header: 'for (const key in input)', body: [{ ...sleep(null, '"1s"'), nameExpression: 'key' }] },
      { kind: 'loop', header: 'while (input.items.length > 0)', body: [audit] },
      { kind: 'loop', header: 'do … while (input.fast)', body: [{ kind: 'uuid' }] },
    ]);
  });

  it('keeps array callbacks that record as loops, and leaves out those that do not', () => {
    expect(
      shapeOf([
        'await Promise.all(input.items.map((item) => this.mail(item)));',
        'input.items.forEach(async (item) => { await ctx.sleep(item, "1s"); });',
        'const ids = input.items.filter((item) => item.length > 0).map((item) => item.trim());',
      ]),
    ).toEqual([
      { kind: 'loop', header: 'input.items.map(…)', body: [mail('item')] },
      { kind: 'loop', header: 'input.items.forEach(…)', body: [{ ...sleep(null, '"1s"'), nameExpression: 'item' }] },
    ]);
  });

  it('nests branches and loops inside parallel branches and map bodies', () => {
    expect(
      shapeOf([
        "await ctx.map('items', input.items, async (item, index, c) => {",
        '  for (const part of item.split(",")) {',
        '    if (part === "") continue;',
        '    await (part.length > 3 ? this.charge(part) : c.now());',
        '  }',
        '});',
      ]),
    ).toEqual([
      {
        kind: 'map',
        name: 'items',
        items: 'input.items',
        body: [
          {
            kind: 'loop',
            header: 'for (const part of item.split(","))',
            body: [
              {
                kind: 'branch',
                form: 'if',
                condition: 'part === ""',
                paths: [[{ kind: 'exit', form: 'continue' }], []],
              },
              { kind: 'branch', form: 'conditional', condition: 'part.length > 3', paths: [[charge('part')], [now]] },
            ],
          },
        ],
      },
    ]);
  });

  it('follows promise callbacks: then after the promise, catch only on a failure', () => {
    expect(
      shapeOf(['await this.charge(1).then((paid) => this.mail(String(paid))).catch(() => this.audit());']),
    ).toEqual([
      charge('1'),
      mail('String(paid)'),
      { kind: 'branch', form: 'try', condition: '', paths: [[], [audit], []] },
    ]);
  });
});

describe('evaluation order', () => {
  it('puts an operation in an argument before the operation it is given to', () => {
    expect(shapeOf(['await this.mail(String(await this.charge(await ctx.now())));'])).toEqual([
      now,
      charge('await ctx.now()'),
      mail('String(await this.charge(await ctx.now()))'),
    ]);
  });

  it('follows calls in the order they are made, also inside Promise.all', () => {
    expect(
      shapeOf([
        'const [a, b] = await Promise.all([this.charge(1), this.audit()]);',
        "await ctx.invoke({ service: 'x', workflow: 'y' }, await ctx.uuid());",
      ]),
    ).toEqual([charge('1'), audit, { kind: 'uuid' }, { kind: 'invoke', target: 'x.y', input: 'await ctx.uuid()' }]);
  });
});

describe('operationSchemaHash', () => {
  const base = [
    'await this.charge(input.id);',
    "await ctx.sleep('wait', { seconds: 5 });",
    'if (input.fast) await this.audit();',
  ];
  const hashOf = (body: string[], parts?: ServiceParts) => operationSchemaHash(schemaOf(serviceSource(body, parts)));

  it('is 16 hex characters', () => {
    expect(hashOf(base)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not change when code only moves, is reformatted or commented', () => {
    const moved = [
      '// settle first',
      '',
      'const unused = input.items.length;',
      'await this.charge( input.id /* the order */ );',
      "await ctx.sleep('wait', {",
      '  seconds:   5',
      '});',
      'if (input.fast) {',
      '  await this.audit();',
      '}',
    ];
    expect(schemaOf(serviceSource(moved))[0]!.line).not.toBe(schemaOf(serviceSource(base))[0]!.line);
    expect(hashOf(moved)).toBe(hashOf(base));
  });

  it('changes with every change of what the journal records', () => {
    const variants: Record<string, string[]> = {
      'an added sleep': [...base, "await ctx.sleep('more', '1s');"],
      'an added now()': [base[0]!, 'await ctx.now();', ...base.slice(1)],
      'changed arguments': ['await this.charge(input.id, 2);', ...base.slice(1)],
      'a changed duration': [base[0]!, "await ctx.sleep('wait', { seconds: 6 });", base[2]!],
      'a renamed sleep': [base[0]!, "await ctx.sleep('pause', { seconds: 5 });", base[2]!],
      'an added branch': [...base, 'if (input.items.length > 1) await this.mail(input.id);'],
      'a changed condition': [...base.slice(0, 2), 'if (!input.fast) await this.audit();'],
      'reordered operations': [base[1]!, base[0]!, base[2]!],
      'a step moved out of its branch': [...base.slice(0, 2), 'await this.audit();'],
      'a loop around a step': [base[0]!, base[1]!, 'for (const item of input.items) await this.audit();'],
    };
    const hashes = new Map([[hashOf(base), 'the base']]);
    for (const [change, body] of Object.entries(variants)) {
      const hash = hashOf(body);
      expect(hashes.get(hash), `${change} has the hash of ${hashes.get(hash)}`).toBeUndefined();
      hashes.set(hash, change);
    }
  });

  it('changes when a step is renamed or changes semantics in its decorator', () => {
    const body = ['await this.charge(1);'];
    const renamed = serviceSource(body).map((text) => (text === '  @Step()' ? "  @Step({ name: 'pay' })" : text));
    const atMostOnce = serviceSource(body).map((text) =>
      text === '  @Step()' ? "  @Step({ semantics: 'at-most-once' })" : text,
    );
    const hash = hashOf(body);
    expect(operationSchemaHash(schemaOf(renamed))).not.toBe(hash);
    expect(operationSchemaHash(schemaOf(atMostOnce))).not.toBe(hash);
  });
});
