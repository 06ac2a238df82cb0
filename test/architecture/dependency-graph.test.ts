import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shape of the code, checked: packages depend one way (cli → codegen →
 * core), core's folders never import each other both ways, core ships no
 * build tool, and no source file of core grows past what one idea needs.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PACKAGES = ['core', 'codegen', 'cli'] as const;
/** What each package may import of the others. */
const ALLOWED: Record<(typeof PACKAGES)[number], string[]> = { core: [], codegen: ['core'], cli: ['codegen', 'core'] };
/** Build tools core must never import: it ships inside every Lambda bundle. */
const BUILD_TOOLS = ['ts-morph', 'yargs', 'esbuild', 'typescript', 'vitest'];
/** Lines a source file of core may have (comments included); past it, it holds more than one idea. */
const MAX_CORE_FILE_LINES = 320;

/** The package's source files, tests left out (`*.test.ts`, and suites shared by tests, which import vitest). */
function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files.filter((file) => !importsOf(file).includes('vitest'));
}

function importsOf(file: string, { values = false } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)(\s+type\b)?[^'"]*?from\s+'([^']+)'/g)]
    .filter((m) => !values || m[1] === undefined)
    .map((m) => m[2]!);
}

describe('the dependency graph', () => {
  it.each(PACKAGES)('@durable/%s imports only the packages below it', (name) => {
    const offending: string[] = [];
    const files = sourceFiles(join(ROOT, 'packages', name, 'src'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        const match = /^@durable\/([a-z-]+)/.exec(specifier);
        if (match !== null && match[1] !== name && !ALLOWED[name].includes(match[1]!)) {
          offending.push(`${relative(ROOT, file)} imports ${specifier}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });

  it('core imports no build tool', () => {
    const offending = sourceFiles(join(ROOT, 'packages/core/src')).flatMap((file) =>
      importsOf(file)
        .filter((specifier) => BUILD_TOOLS.some((tool) => specifier === tool || specifier.startsWith(`${tool}/`)))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  // Type-only imports vanish from the built code: `errors/` may name the journal's shapes in its messages while
  // `journal/` throws its errors. What must not exist is a cycle between modules that load each other.
  it('core’s folders never import each other’s values both ways', () => {
    const src = join(ROOT, 'packages/core/src');
    const folderOf = (path: string) =>
      relative(src, path)
        .split('/')[0]!
        .replace(/\.(ts|js)$/, '');
    const edges = new Map<string, Map<string, string>>();
    for (const file of sourceFiles(src)) {
      const from = folderOf(file);
      for (const specifier of importsOf(file, { values: true })) {
        if (!specifier.startsWith('.')) continue;
        const to = folderOf(normalize(join(dirname(file), specifier)));
        if (to === from) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        edges.get(from)!.set(to, relative(src, file));
      }
    }
    const cycles: string[] = [];
    for (const [from, targets] of edges) {
      for (const [to, file] of targets) {
        const back = edges.get(to)?.get(from);
        if (back !== undefined && from < to) cycles.push(`${from} ↔ ${to} (${file}, ${back})`);
      }
    }
    expect(edges.size).toBeGreaterThan(3);
    expect(cycles).toEqual([]);
  });

  it(`no source file of core is over ${MAX_CORE_FILE_LINES} lines`, () => {
    const long = sourceFiles(join(ROOT, 'packages/core/src'))
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_CORE_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
