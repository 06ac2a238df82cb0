import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDeadLocalOwner, localOwner, parseLocalOwner } from './local-owner.js';

describe('local owners', () => {
  it('name this process, and parse back', () => {
    expect(parseLocalOwner(localOwner())).toEqual({ host: hostname(), pid: process.pid });
    expect(parseLocalOwner('3f1c2a4e-uuid-of-a-lambda-invocation')).toBeUndefined();
    expect(parseLocalOwner(undefined)).toBeUndefined();
  });

  it('are dead only when this host has no such process', () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const gone = Number(exited.stdout);
    expect(isDeadLocalOwner({ host: hostname(), pid: gone })).toBe(true);
    expect(isDeadLocalOwner({ host: hostname(), pid: process.pid })).toBe(false);
    expect(isDeadLocalOwner({ host: hostname(), pid: process.ppid })).toBe(false);
    // Another host's process cannot be checked from here: never taken for dead.
    expect(isDeadLocalOwner({ host: `not-${hostname()}`, pid: gone })).toBe(false);
    expect(isDeadLocalOwner(undefined)).toBe(false);
  });
});
