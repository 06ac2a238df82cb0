import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CliError } from '../cli-error.js';
import { isDeadLocalOwner, localOwner, parseLocalOwner } from './local-owner.js';

/** Who holds a folder: written into its lock file, shown when someone else asks. */
interface LockHolder {
  owner: string;
  command: string;
  since: string;
}

/** A held lock; `release` is safe to call twice. */
export interface FolderLock {
  release(): void;
}

/**
 * Takes `lockFile` for this process, for the embedded store: LevelDB lets one
 * process at a time open its folder, and a second one would fail with an
 * error that names neither the folder nor the process using it. The lock file
 * says who holds it; the lock of a process that died (SIGKILL leaves the file
 * behind) is taken over, one that is alive is refused with a clear message.
 *
 * @param command What this process is doing, shown to whoever finds the lock taken.
 */
export function lockFolder(lockFile: string, folder: string, command: string): FolderLock {
  const holder: LockHolder = { owner: localOwner(), command, since: new Date().toISOString() };
  // Creating with 'wx' is atomic, so of two processes starting together one wins. The second round follows the
  // removal of a dead holder's file; should two processes take over the same dead lock at the same instant,
  // LevelDB's own lock inside the folder still lets only one of them open the store.
  for (let round = 0; round < 2; round++) {
    try {
      writeFileSync(lockFile, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          const current = readHolder(lockFile);
          if (typeof current === 'object' && current.owner === holder.owner) rmSync(lockFile, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = readHolder(lockFile);
    if (current === 'unreadable') {
      throw new CliError(
        `${folder} is being locked by another process right now. Try again; if this persists, delete ${lockFile}.`,
      );
    }
    if (current !== undefined && !isDeadLocalOwner(parseLocalOwner(current.owner))) {
      throw new CliError(
        `${folder} is in use by ${describeOwner(current.owner)} (durable-gen ${current.command}, since ` +
          `${current.since}). Wait for it to finish or stop it; if no such process exists, delete ${lockFile}.`,
      );
    }
    rmSync(lockFile, { force: true });
  }
  throw new CliError(`Could not lock ${folder}: another process keeps taking it. Try again.`);
}

/** How long a lock file may stay unreadable before it counts as the leftover of a process that died writing it. */
const HALF_WRITTEN_GRACE_MS = 5_000;

/**
 * The holder named in the lock file; undefined when there is no file or it is a dead writer's leftover;
 * `unreadable` when it is probably being written right now.
 */
function readHolder(lockFile: string): LockHolder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as LockHolder;
  } catch {
    const age = Date.now() - (statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age < HALF_WRITTEN_GRACE_MS ? 'unreadable' : undefined;
  }
}

function describeOwner(owner: string): string {
  const local = parseLocalOwner(owner);
  if (local === undefined) return `'${owner}'`;
  return local.host === hostname() ? `process ${local.pid}` : `process ${local.pid} on ${local.host}`;
}
