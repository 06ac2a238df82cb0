import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `bench/.tmp/`: git-ignored, and outside the tsconfig's file set (see bench/README.md). */
const SCRATCH = fileURLToPath(new URL('./.tmp/', import.meta.url));

/** A new folder under `bench/.tmp/` named `<prefix>…`, for an app the bench writes; the caller removes it. */
export function scratchFolder(prefix: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  writeFileSync(path.join(SCRATCH, '.gitignore'), '*\n');
  return mkdtempSync(path.join(SCRATCH, prefix));
}
