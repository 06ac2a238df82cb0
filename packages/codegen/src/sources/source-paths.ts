import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

/**
 * Folders a directory or glob never descends into: dependencies, what
 * durable-gen and tsc write, and dot-folders (`.git`, `.durable`). A path
 * that names one of them explicitly is still read.
 */
export const SKIPPED_FOLDERS: readonly string[] = ['node_modules', 'generated', 'dist'];

/** The source files durable-gen reads: TypeScript, not declarations. */
const SOURCE_FILE = /\.(?:[cm]?ts|tsx)$/;
const DECLARATION_FILE = /\.d\.(?:[cm]?ts|tsx)$/;

/** What a list of paths resolved to. */
export interface ResolvedSources {
  /** Absolute paths of the source files, sorted, each once. */
  files: string[];
  /** The paths as given, for messages. */
  searched: readonly string[];
}

/** Why paths could not be read: each kind is a stable code. */
export type SourcePathsErrorCode = 'no-paths' | 'no-sources' | 'no-services';

/**
 * Paths that name nothing to scan. A gate that checked nothing must not pass:
 * every command that takes paths stops here with what it searched and a hint.
 */
export class SourcePathsError extends Error {
  constructor(
    readonly code: SourcePathsErrorCode,
    message: string,
    readonly searched: readonly string[],
  ) {
    super(message);
    this.name = 'SourcePathsError';
  }
}

/**
 * Resolves paths as every linter does: a file is itself, a directory is every
 * source file under it (skipping {@link SKIPPED_FOLDERS} and dot-folders), and
 * anything else is a glob, all relative to `root` (or absolute). Throws
 * {@link SourcePathsError} when they match no source file at all, or when one
 * path matches nothing (a typo must not hide behind the paths that matched).
 */
export function resolveSourcePaths(root: string, paths: readonly string[]): ResolvedSources {
  const appRoot = path.resolve(root);
  if (paths.length === 0 || paths.some((p) => p.trim() === '')) {
    throw new SourcePathsError('no-paths', 'No paths to scan: name files, folders or globs of the app.', paths);
  }
  const found = new Set<string>();
  const unmatched: string[] = [];
  for (const given of paths) {
    const matched = matchPath(appRoot, given);
    if (matched.length === 0) unmatched.push(given);
    for (const file of matched) found.add(file);
  }
  if (unmatched.length > 0) {
    const which = unmatched.map((p) => `'${p}'`).join(', ');
    throw new SourcePathsError(
      'no-sources',
      `${which} ${unmatched.length === 1 ? 'matches' : 'match'} no TypeScript source file in ${appRoot}` +
        ` (folders skip ${SKIPPED_FOLDERS.join(', ')} and dot-folders; .d.ts files are not read).` +
        ' Name the files, folders or globs that hold your @DurableService classes, e.g. src or "src/**/*.ts".',
      paths,
    );
  }
  return { files: [...found].sort(), searched: paths };
}

/** The source files one path names. */
function matchPath(root: string, given: string): string[] {
  const absolute = path.resolve(root, given);
  if (existsSync(absolute)) {
    const stat = statSync(absolute);
    if (stat.isDirectory()) return walk(absolute);
    return isSource(absolute) ? [absolute] : [];
  }
  if (!isDynamicPattern(given)) return [];
  const ignore = SKIPPED_FOLDERS.map((folder) => `**/${folder}/**`);
  return globSync(given.split(path.sep).join('/'), {
    cwd: root,
    absolute: true,
    onlyFiles: true,
    dot: false,
    ignore,
    expandDirectories: false,
  })
    .map((file) => path.resolve(file))
    .filter(isSource);
}

/** Every source file under `dir`. */
function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !SKIPPED_FOLDERS.includes(entry.name)) files.push(...walk(child));
    } else if (entry.isFile() && isSource(child)) {
      files.push(child);
    }
  }
  return files;
}

function isSource(file: string): boolean {
  return SOURCE_FILE.test(file) && !DECLARATION_FILE.test(file);
}
