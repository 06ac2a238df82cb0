/**
 * What the schema walk reaches beyond the calls themselves: the constants their expressions read, the exits
 * that decide which operations run, computed names, code outside the class, steps of base classes and steps
 * taken as values.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../scanner/scan.js';
import { canonicalJson } from './schema-hash.js';
import type { SchemaNode } from './schema-nodes.js';

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** The operations (lines left out) of workflow `run` of a file: `before` the class, `body` of run, `members`. */
function shapeOf(
  body: string[],
  parts: { before?: string[]; members?: string[]; heading?: string; files?: Record<string, string> } = {},
): unknown {
  const source = [
    "import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';",
    ...(parts.before ?? []),
    "@DurableService({ name: 'orders' })",
    `export class Orders${parts.heading ?? ''} {`,
    '  @Workflow()',
    '  async run(ctx: DurableContext, input: { id: string; items: string[]; fast: boolean; n: number }) {',
    ...body.map((text) => `    ${text}`),
    '  }',
    '  @Step()',
    '  async charge(...values: unknown[]) { return values.length; }',
    ...(parts.members ?? []).map((text) => `  ${text}`),
    '}',
  ];
  const root = mkdtempSync(path.join(tmpdir(), 'durable-schema-reach-'));
  tempRoots.push(root);
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/orders.ts'), `${source.join('\n')}\n`);
  for (const [file, text] of Object.entries(parts.files ?? {})) writeFileSync(path.join(root, 'src', file), text);
  const { model } = scan({ root, paths: ['src/*.ts'], account: '123456789012', region: 'eu-west-1' });
  const operations: SchemaNode[] = model.services[0]!.workflows[0]!.operations;
  return JSON.parse(canonicalJson(operations));
}

const charge = (args: string[], uses?: string[]) => ({
  args,
  kind: 'step',
  method: 'charge',
  name: 'charge',
  semantics: 'at-least-once',
  ...(uses === undefined ? {} : { uses }),
});

describe('the declarations an expression reads', () => {
  it('records local and module constants an argument, a duration or a condition reads, transitively', () => {
    expect(
      shapeOf(
        [
          'const base = input.n * RATE;',
          'const amount = base + 1;',
          'await this.charge(amount);',
          "await ctx.sleep('hold', HOLD);",
          'const isBig = amount > 10;',
          'if (isBig) await this.charge(1);',
        ],
        { before: ['const RATE = 10;', 'const HOLD = { days: 1 };'] },
      ),
    ).toEqual([
      charge(['amount'], ['RATE = 10', 'base = input.n * RATE', 'amount = base + 1']),
      { duration: 'HOLD', kind: 'sleep', name: 'hold', uses: ['HOLD = { days: 1 }'] },
      {
        condition: 'isBig',
        form: 'if',
        kind: 'branch',
        paths: [[charge(['1'])], []],
        uses: ['RATE = 10', 'base = input.n * RATE', 'amount = base + 1', 'isBig = amount > 10'],
      },
    ]);
  });

  it('reads through destructuring and shorthand properties, and stops at cycles', () => {
    expect(
      shapeOf([
        'const { id } = input;',
        'await this.charge({ id });',
        'let a: number = input.n;',
        'a = a + 1;',
        'await this.charge(a);',
      ]),
    ).toEqual([charge(['{ id }'], ['{ id } = input']), charge(['a'], ['a = input.n'])]);
  });

  it('leaves out values awaited from calls: replay reads them from the journal', () => {
    expect(
      shapeOf([
        'const paid = await this.charge(1);',
        'await this.charge(paid);',
        'const total = input.fast ? (await this.charge(2)) * 2 : 0;',
        'await this.charge(total);',
      ]),
    ).toEqual([
      charge(['1']),
      charge(['paid']),
      {
        condition: 'input.fast',
        form: 'conditional',
        kind: 'branch',
        paths: [[charge(['2'])], []],
      },
      charge(['total'], ['total = input.fast ? (…) * 2 : 0']),
    ]);
  });
});

describe('exits', () => {
  it('keeps a return, throw, break or continue that operations may follow', () => {
    expect(
      shapeOf([
        'if (input.fast) return input.id;',
        'for (const item of input.items) {',
        '  if (item === "") continue;',
        '  if (item === "stop") break;',
        '  await this.charge(item);',
        '}',
      ]),
    ).toEqual([
      { condition: 'input.fast', form: 'if', kind: 'branch', paths: [[{ form: 'return', kind: 'exit' }], []] },
      {
        body: [
          { condition: 'item === ""', form: 'if', kind: 'branch', paths: [[{ form: 'continue', kind: 'exit' }], []] },
          { condition: 'item === "stop"', form: 'if', kind: 'branch', paths: [[{ form: 'break', kind: 'exit' }], []] },
          charge(['item']),
        ],
        header: 'for (const item of input.items)',
        kind: 'loop',
      },
    ]);
  });

  it('leaves out exits nothing follows, a helper’s last return and loops that only exit', () => {
    expect(
      shapeOf(
        [
          'for (const item of input.items) { if (item === "") break; }',
          'await this.pay(input.n);',
          'if (input.fast) { await this.charge(1); return 1; }',
          'if (input.n > 3) throw new Error("too many");',
          'return 0;',
        ],
        { members: ['private async pay(n: number) { await this.charge(n); return n; }'] },
      ),
    ).toEqual([charge(['n']), { condition: 'input.fast', form: 'if', kind: 'branch', paths: [[charge(['1'])], []] }]);
  });
});

describe('names and code the class does not declare', () => {
  it('keeps the expression of a computed name', () => {
    const name = `\`charge-\${input.id}\``;
    expect(shapeOf([`await ctx.step(${name}, async () => 1);`])).toEqual([
      { args: [], kind: 'step', name: null, nameExpression: name, semantics: 'at-least-once' },
    ]);
  });

  it('follows a function of the file outside the class that is given the context, not one with no code', () => {
    expect(
      shapeOf(['await audit(ctx, input.id);', 'await remind(ctx);'], {
        before: [
          "const audit = async (c: DurableContext, id: string) => { await c.step('audit', async () => id); };",
          'declare function remind(ctx: DurableContext): Promise<void>;',
        ],
      }),
    ).toEqual([
      { args: [], kind: 'step', name: 'audit', semantics: 'at-least-once' },
      { call: 'remind(ctx)', kind: 'opaque', reason: 'external-function' },
    ]);
  });

  it('names the code of an imported function given the context by its hash', () => {
    const withAudit = (code: string) =>
      shapeOf(['await audit(ctx);'], {
        before: ["import { audit } from './audit.js';"],
        files: { 'audit.ts': code },
      }) as { codeHash?: string }[];
    const [first] = withAudit("export async function audit(ctx: any) { await ctx.step('a', async () => 1); }");
    const [commented] = withAudit(
      "export async function audit(ctx: any) { /* why */ await ctx.step('a', async () => 1); }",
    );
    const [changed] = withAudit("export async function audit(ctx: any) { await ctx.step('b', async () => 1); }");
    expect(first).toMatchObject({
      kind: 'opaque',
      reason: 'external-function',
      codeHash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(commented!.codeHash).toBe(first!.codeHash);
    expect(changed!.codeHash).not.toBe(first!.codeHash);
  });

  it('records the @Step methods of a base class as steps', () => {
    expect(
      shapeOf(['await this.audit(input.id);'], {
        before: ['class Audited {', '  @Step()', '  async audit(id: string) { return id; }', '}'],
        heading: ' extends Audited',
      }),
    ).toEqual([{ args: ['input.id'], kind: 'step', method: 'audit', name: 'audit', semantics: 'at-least-once' }]);
  });

  it('records a step taken as a value, and a method no class declares, as opaque', () => {
    expect(shapeOf(['const pay = this.charge.bind(this);', 'await pay(1);', 'await this.missing(input.id);'])).toEqual([
      { call: 'this.charge', kind: 'opaque', reason: 'step-reference' },
      { call: 'this.missing(input.id)', kind: 'opaque', reason: 'unknown-method' },
    ]);
  });
});
