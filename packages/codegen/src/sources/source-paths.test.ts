import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSourcePaths, SourcePathsError } from './source-paths.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function app(files: string[]): string {
  root = mkdtempSync(path.join(tmpdir(), 'source-paths-'));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), 'export {};\n');
  }
  return root;
}

const relative = (files: string[]): string[] => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

describe('resolveSourcePaths', () => {
  const FILES = [
    'a.ts',
    'src/b.ts',
    'src/c.mts',
    'src/types.d.ts',
    'src/readme.md',
    'src/deep/d.tsx',
    'src/generated/clients/x.ts',
    'src/node_modules/p/index.ts',
    'src/dist/out.ts',
    'src/.cache/e.ts',
  ];

  it('reads a folder recursively, skipping declarations, non-TypeScript and the skipped folders', () => {
    const dir = app(FILES);
    for (const given of ['src', 'src/', './src']) {
      expect(relative(resolveSourcePaths(dir, [given]).files)).toEqual(['src/b.ts', 'src/c.mts', 'src/deep/d.tsx']);
    }
    expect(relative(resolveSourcePaths(dir, ['.']).files)).toEqual(['a.ts', 'src/b.ts', 'src/c.mts', 'src/deep/d.tsx']);
  });

  it('takes files and globs, each file once, and reads a skipped folder only when named', () => {
    const dir = app(FILES);
    expect(relative(resolveSourcePaths(dir, ['src/**/*.ts', 'src/b.ts', 'a.ts']).files)).toEqual(['a.ts', 'src/b.ts']);
    expect(relative(resolveSourcePaths(dir, ['src/generated']).files)).toEqual(['src/generated/clients/x.ts']);
    expect(relative(resolveSourcePaths(dir, [path.join(dir, 'src/deep')]).files)).toEqual(['src/deep/d.tsx']);
  });

  it.each([
    [['nope']],
    [['src/**/*.js']],
    [['src/readme.md']],
    [['src/types.d.ts']],
    [['src', 'typo/**/*.ts']],
    [[]],
    [['']],
  ])('refuses %j: a path that names no source file is an error, never an empty success', (paths) => {
    const dir = app(FILES);
    expect(() => resolveSourcePaths(dir, paths)).toThrow(SourcePathsError);
  });
});
