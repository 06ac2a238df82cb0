import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsoncToJson, requireLegacyDecorators } from './app-tsconfig.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function app(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'durable-tsconfig-'));
  folders.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('requireLegacyDecorators', () => {
  it('accepts a tsconfig with experimentalDecorators, comments and trailing commas included', () => {
    const root = app({
      'tsconfig.json': '{\n  // legacy\n  "compilerOptions": { "experimentalDecorators": true, /* yes */ },\n}\n',
    });
    expect(requireLegacyDecorators(root)).toBe(path.join(root, 'tsconfig.json'));
  });

  it('follows extends, and lets the extending file override its base', () => {
    const inherited = app({
      'base/tsconfig.base.json': '{ "compilerOptions": { "experimentalDecorators": true } }',
      'tsconfig.json': '{ "extends": "./base/tsconfig.base", "compilerOptions": { "strict": true } }',
    });
    expect(() => requireLegacyDecorators(inherited)).not.toThrow();
    const overridden = app({
      'base.json': '{ "compilerOptions": { "experimentalDecorators": true } }',
      'tsconfig.json': '{ "extends": ["./base.json"], "compilerOptions": { "experimentalDecorators": false } }',
    });
    expect(() => requireLegacyDecorators(overridden)).toThrow(/"experimentalDecorators": true/);
  });

  it('says what to do when the file is missing or lacks the option', () => {
    expect(() => requireLegacyDecorators(app({}))).toThrow(/tsconfig\.json does not exist\. .*experimentalDecorators/);
    expect(() => requireLegacyDecorators(app({ 'tsconfig.json': '{}' }))).toThrow(/legacy decorators/);
    expect(() => requireLegacyDecorators(app({ 'tsconfig.json': '{ oops' }))).toThrow(/is not valid JSON/);
  });
});

describe('jsoncToJson', () => {
  it('removes comments and trailing commas outside strings only', () => {
    const text = '{ "a": "// not a comment, ]", /* c */ "b": [1, 2,], // end\n }';
    expect(JSON.parse(jsoncToJson(text))).toEqual({ a: '// not a comment, ]', b: [1, 2] });
    expect(JSON.parse(jsoncToJson('{ "q": "say \\"hi\\" // x" }'))).toEqual({ q: 'say "hi" // x' });
  });
});
