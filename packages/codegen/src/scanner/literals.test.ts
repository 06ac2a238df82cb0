import { Project, SyntaxKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { type LiteralResult, type LiteralValue, readLiteral } from './literals.js';

const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { experimentalDecorators: true } });
let fileCount = 0;

/** Reads the initializer of `const value = <expression>;` (the expression on its own line, column 1). */
function read(expression: string): LiteralResult {
  fileCount += 1;
  const file = project.createSourceFile(`literal-${fileCount}.ts`, `const value =\n${expression};\n`);
  const initializer = file.getVariableDeclarationOrThrow('value').getInitializerOrThrow();
  return readLiteral(initializer);
}

/** The value read, or a short description of the refusal (readable when a test fails). */
function literalOf(expression: string): LiteralValue | { refused: string } {
  const result = read(expression);
  return result.ok ? result.value : { refused: result.node.getText() };
}

/** The text and 1-based place of the node readLiteral refused (the expression starts on line 2). */
function rejected(expression: string): { text: string; kind: string; line: number; column: number } {
  const result = read(expression);
  if (result.ok) throw new Error(`expected ${expression} to be refused, read ${JSON.stringify(result.value)}`);
  const { line, column } = result.node.getSourceFile().getLineAndColumnAtPos(result.node.getStart());
  return { text: result.node.getText(), kind: result.node.getKindName(), line, column };
}

describe('readLiteral', () => {
  it.each([
    ["'single'", 'single'],
    ['"double"', 'double'],
    ["'esc\\'aped\\n'", "esc'aped\n"],
    ['`template without substitution`', 'template without substitution'],
    ["''", ''],
  ])('reads the string %s', (expression, expected) => {
    expect(literalOf(expression)).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['42', 42],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['10_000', 10_000],
    ['0x10', 16],
    ['0b101', 5],
    ['0o17', 15],
    ['1e3', 1000],
    ['1.5e3', 1500],
    ['1e-7', 1e-7],
    ['1e21', 1e21],
    ['-3', -3],
    ['-1.5', -1.5],
    ['-1e-3', -1e-3],
    ['+7', 7],
    ['(-4)', -4],
  ])('reads the number %s', (expression, expected) => {
    expect(literalOf(expression)).toBe(expected);
  });

  it('reads booleans and null', () => {
    expect(literalOf('true')).toBe(true);
    expect(literalOf('false')).toBe(false);
    expect(literalOf('null')).toBe(null);
  });

  it('reads arrays and nested object literals, with identifier, string and numeric keys', () => {
    expect(
      literalOf(`{
        name: 'reviews',
        'quoted-key': 1,
        2: 'two',
        0x10: 'sixteen',
        retry: { maxAttempts: 5, backoffRate: 1.5, jitter: 'full' },
        tags: ['a', 'b', [true, null]],
        empty: {},
        none: [],
      }`),
    ).toEqual({
      name: 'reviews',
      'quoted-key': 1,
      '2': 'two',
      '16': 'sixteen',
      retry: { maxAttempts: 5, backoffRate: 1.5, jitter: 'full' },
      tags: ['a', 'b', [true, null]],
      empty: {},
      none: [],
    });
  });

  it('looks through parentheses, `as const`, type assertions with `as` and `satisfies`', () => {
    expect(literalOf("({ name: 'a' }) as const")).toEqual({ name: 'a' });
    expect(literalOf("{ jitter: 'full' as const }")).toEqual({ jitter: 'full' });
    expect(literalOf("{ name: 'a' } satisfies { name: string }")).toEqual({ name: 'a' });
    expect(literalOf("(['x'] as string[])")).toEqual(['x']);
  });

  describe('refuses what it would have to run, naming the node at fault', () => {
    it('a variable', () => {
      expect(rejected('options')).toEqual({ text: 'options', kind: 'Identifier', line: 2, column: 1 });
      expect(rejected('undefined')).toMatchObject({ text: 'undefined', kind: 'Identifier' });
    });

    it('a variable nested in an object or an array', () => {
      expect(rejected("{ name: 'a', retry: { maxAttempts: MAX } }")).toEqual({
        text: 'MAX',
        kind: 'Identifier',
        line: 2,
        column: 36,
      });
      expect(rejected('[1, two, 3]')).toMatchObject({ text: 'two', column: 5 });
    });

    it('a function call, a `new`, a property access and arithmetic', () => {
      expect(rejected('{ retry: makeRetry() }')).toMatchObject({
        text: 'makeRetry()',
        kind: 'CallExpression',
        column: 10,
      });
      expect(rejected("{ at: new Date('2024-01-01') }")).toMatchObject({ kind: 'NewExpression' });
      expect(rejected('{ timeoutMs: config.timeoutMs }')).toMatchObject({
        text: 'config.timeoutMs',
        kind: 'PropertyAccessExpression',
      });
      expect(rejected('{ timeoutMs: 60 * 1000 }')).toMatchObject({ text: '60 * 1000', kind: 'BinaryExpression' });
    });

    it('a spread in an object or an array', () => {
      expect(rejected("{ ...base, name: 'a' }")).toEqual({
        text: '...base',
        kind: 'SpreadAssignment',
        line: 2,
        column: 3,
      });
      expect(rejected("['a', ...rest]")).toMatchObject({ text: '...rest', kind: 'SpreadElement', column: 7 });
    });

    it('a template with a substitution', () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test is a template literal
      expect(rejected('{ name: `step-${version}` }')).toMatchObject({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source under test is a template literal
        text: '`step-${version}`',
        kind: 'TemplateExpression',
        column: 9,
      });
    });

    it('a computed key, a shorthand property and a method', () => {
      expect(rejected("{ [key]: 'a' }")).toMatchObject({ text: '[key]', kind: 'ComputedPropertyName', column: 3 });
      expect(rejected("{ ['name']: 'a' }")).toMatchObject({ kind: 'ComputedPropertyName' });
      expect(rejected('{ name }')).toMatchObject({ text: 'name', kind: 'ShorthandPropertyAssignment' });
      expect(rejected('{ name() { return 1; } }')).toMatchObject({ kind: 'MethodDeclaration' });
      expect(rejected('{ get name() { return 1; } }')).toMatchObject({ kind: 'GetAccessor' });
    });

    it('unary operators other than a sign on a number, and signs on anything else', () => {
      expect(rejected('!0')).toMatchObject({ text: '!0', kind: 'PrefixUnaryExpression' });
      expect(rejected('~1')).toMatchObject({ text: '~1' });
      expect(rejected('-x')).toMatchObject({ text: '-x' });
      expect(rejected("-'1'")).toMatchObject({ text: "-'1'" });
      expect(rejected('- -1')).toMatchObject({ text: '- -1' });
    });

    it('holes, functions, regular expressions and bigints', () => {
      expect(rejected('[1, , 3]')).toMatchObject({ kind: 'OmittedExpression' });
      expect(rejected('() => 1')).toMatchObject({ kind: 'ArrowFunction' });
      expect(rejected('/ab+c/')).toMatchObject({ kind: 'RegularExpressionLiteral' });
      expect(rejected('10n')).toMatchObject({ kind: 'BigIntLiteral' });
    });

    it('stops at the first offending node, in source order', () => {
      expect(rejected('{ a: first, b: second() }')).toMatchObject({ text: 'first' });
    });
  });

  it('accepts any node, not only expressions (an unsupported one is refused as itself)', () => {
    const file = project.createSourceFile('statement.ts', 'export class A {}\n');
    const declaration = file.getFirstDescendantByKindOrThrow(SyntaxKind.ClassDeclaration);
    expect(readLiteral(declaration)).toEqual({ ok: false, node: declaration });
  });
});
