/**
 * How tests use the fixture apps of this folder: each test gets a fresh copy inside the repository (so that its
 * `@durable/core` imports resolve from the repository's node_modules), edits it, and reads what was generated.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { Manifest } from '../emit/manifest.js';
import type { SourceLocation } from '../model.js';

/** Copies live inside the repository, under the package's ignored `.tmp/`. */
const SCRATCH = fileURLToPath(new URL('../../.tmp/', import.meta.url));
const copies: string[] = [];

/** A fresh copy of fixture app `name` (without any output a previous run left in it); returns its root. */
export function copyFixture(name: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  writeFileSync(path.join(SCRATCH, '.gitignore'), '*\n');
  const root = mkdtempSync(path.join(SCRATCH, `${name}-`));
  copies.push(root);
  cpSync(fileURLToPath(new URL(`./${name}/`, import.meta.url)), root, {
    recursive: true,
    filter: (source) => !/[\\/](generated|node_modules)$/.test(source),
  });
  return root;
}

/** Removes every copy made so far (for `afterAll`). */
export function removeFixtureCopies(): void {
  for (const root of copies.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Every file under `dir`, by path relative to `base` (with `/`), sorted; empty when `dir` does not exist. */
export function readTree(base: string, dir = 'generated'): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    const absolute = path.join(base, relative);
    if (!existsSync(absolute)) return;
    for (const entry of readdirSync(absolute, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(base, child), 'utf8'));
    }
  };
  walk(dir);
  return files;
}

/** Replaces the one occurrence of `from` in a file of the app; fails loudly when the fixture no longer has it. */
export function edit(root: string, file: string, from: string, to: string): void {
  const target = path.join(root, file);
  const source = readFileSync(target, 'utf8');
  if (source.split(from).length !== 2) throw new Error(`'${from}' is not once in ${file}: update this test`);
  writeFileSync(target, source.replace(from, to));
}

/** Where `snippet` starts in a file of the app (1-based, as diagnostics report it). */
export function placeOf(root: string, file: string, snippet: string): SourceLocation {
  const source = readFileSync(path.join(root, file), 'utf8');
  const index = source.indexOf(snippet);
  if (index < 0) throw new Error(`'${snippet}' is not in ${file}: update this test`);
  const linesBefore = source.slice(0, index).split('\n');
  return { file, line: linesBefore.length, column: linesBefore.at(-1)!.length + 1 };
}

/** The manifest generate wrote into the app. */
export function readManifest(root: string): Manifest {
  return JSON.parse(readFileSync(path.join(root, 'generated/manifest.json'), 'utf8')) as Manifest;
}

/** Type-checks the app's sources and generated files with the app's own tsconfig; returns the diagnostics. */
export function typeCheck(root: string): string[] {
  const configFile = path.join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, configFile);
  // Workspace packages resolve to their sources (the "source" export condition), as in the tests: never a stale dist/.
  const options = { ...parsed.options, noEmit: true, customConditions: ['source'] };
  const program = ts.createProgram({ rootNames: parsed.fileNames, options });
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
  return diagnostics.map((d) => ts.formatDiagnostic(d, host).trim());
}
