import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes what `generate` produced under `root`, so that no reader ever sees the folder half written: a type checker
 * in watch mode, a test importing a stub, or a second `generate` in another terminal. Each file is replaced by a
 * rename (a reader sees the old content or the new, never a truncated one), a file whose content is unchanged is
 * not touched (its mtime stays, so watchers stay quiet), and files the generator owns that are no longer produced
 * (a removed service's handler) are deleted after the new ones are in place.
 */
export function writeGenerated(root: string, files: Map<string, string>, ownedFolders: readonly string[]): void {
  for (const [file, content] of files) {
    const target = path.join(root, file);
    if (existsSync(target) && readFileSync(target, 'utf8') === content) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    // The pid keeps two concurrent generates from sharing a temporary file.
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, content);
    renameSync(temporary, target);
  }
  const produced = new Set([...files.keys()].map((file) => path.join(root, file)));
  for (const folder of ownedFolders) {
    const absolute = path.join(root, folder);
    if (!existsSync(absolute)) continue;
    for (const entry of readdirSync(absolute, { recursive: true, withFileTypes: true })) {
      const file = path.join(entry.parentPath, entry.name);
      if (entry.isFile() && !produced.has(file)) rmSync(file, { force: true });
    }
  }
}
