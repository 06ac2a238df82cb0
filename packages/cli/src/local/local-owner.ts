import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who this process is, as the owner of an execution's lease and of the
 * embedded store's folder: `local:<host>:<pid>`. A local run has no Lambda to
 * retry it, so when one dies mid-run the next run must be able to tell that
 * the owner is gone (same host, no such process) and take over at once,
 * instead of waiting out a 15-minute lease.
 */
export interface LocalOwner {
  host: string;
  pid: number;
}

const OWNER = /^local:(.+):(\d+)$/;

/** This process's owner string. */
export function localOwner(): string {
  return `local:${hostname()}:${process.pid}`;
}

/** The host and pid of a `local:<host>:<pid>` owner; undefined for any other owner (a Lambda invocation's UUID). */
export function parseLocalOwner(owner: string | undefined): LocalOwner | undefined {
  const match = owner === undefined ? null : OWNER.exec(owner);
  return match === null ? undefined : { host: match[1]!, pid: Number(match[2]) };
}

/**
 * True when `owner` names a process of this host that no longer exists. Only
 * a definite "no such process" counts: a process of another user (EPERM) is
 * alive, and an owner on another host cannot be checked from here.
 */
export function isDeadLocalOwner(owner: LocalOwner | undefined): boolean {
  if (owner === undefined || owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  return isZombie(owner.pid);
}

/**
 * A process that was killed but not yet reaped by its parent still answers
 * `kill(pid, 0)`; on Linux its state says it is gone (`Z`). Elsewhere there is
 * no cheap way to tell, and it counts as alive until reaped.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // The state follows the command name, which is in parentheses and may itself contain spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
