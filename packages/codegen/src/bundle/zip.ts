import { type Zippable, zipSync } from 'fflate';

// Built from local-time fields on purpose: a zip stores DOS local time, and fflate converts with the local time
// zone, so this gives the same bytes in every time zone. 1980-01-01 is the earliest time a zip can hold.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
// A regular file, rw-r--r--, marked as made on Unix: Lambda unpacks with these permissions and must read the file.
const UNIX_OS = 3;
const REGULAR_FILE_644 = (0o100644 << 16) >>> 0;

/**
 * A zip archive of `files` (`/`-separated path → content), deterministically:
 * entries sorted by path, a fixed modification time and fixed permissions, so
 * the same files always give the same bytes (and the same sha256, which deploy
 * compares).
 */
export function deterministicZip(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const name of [...files.keys()].sort()) {
    entries[name] = [files.get(name)!, { mtime: FIXED_MTIME, os: UNIX_OS, attrs: REGULAR_FILE_644 }];
  }
  return zipSync(entries, { level: 9, mtime: FIXED_MTIME });
}
