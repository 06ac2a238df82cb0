import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DURABLE_SDK_PACKAGE, DurableSdkPinError, pinnedDurableSdkVersion } from './sdk-version.js';

const SCRATCH = fileURLToPath(new URL('../../.tmp/', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A package.json of a core with these dependencies. */
function corePackage(dependencies: Record<string, string> | undefined): string {
  mkdirSync(SCRATCH, { recursive: true });
  writeFileSync(path.join(SCRATCH, '.gitignore'), '*\n');
  const dir = mkdtempSync(path.join(SCRATCH, 'core-package-'));
  dirs.push(dir);
  const file = path.join(dir, 'package.json');
  writeFileSync(file, JSON.stringify({ name: '@durable/core', version: '0.1.0', dependencies }));
  return file;
}

describe('pinnedDurableSdkVersion', () => {
  it('reads the exact version the installed @durable/core depends on', () => {
    const installed = createRequire(import.meta.url).resolve('@durable/core/package.json');
    const { dependencies } = JSON.parse(readFileSync(installed, 'utf8')) as { dependencies: Record<string, string> };
    expect(pinnedDurableSdkVersion()).toBe(dependencies[DURABLE_SDK_PACKAGE]);
    expect(pinnedDurableSdkVersion()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each(['2.4.0', '3.0.0-rc.2'])('takes %s, an exact version', (version) => {
    expect(pinnedDurableSdkVersion(corePackage({ [DURABLE_SDK_PACKAGE]: version }))).toBe(version);
  });

  it.each<{ problem: string; dependencies: Record<string, string> | undefined; says: string }>([
    { problem: 'a range', dependencies: { [DURABLE_SDK_PACKAGE]: '^2.4.0' }, says: 'names "^2.4.0" for' },
    { problem: 'a tag', dependencies: { [DURABLE_SDK_PACKAGE]: 'latest' }, says: 'names "latest" for' },
    { problem: 'no dependency on the SDK', dependencies: { 'reflect-metadata': '^0.2.2' }, says: 'does not depend on' },
    { problem: 'no dependencies at all', dependencies: undefined, says: 'does not depend on' },
  ])('refuses $problem, saying how to fix it', ({ dependencies, says }) => {
    const file = corePackage(dependencies);
    let thrown: unknown;
    try {
      pinnedDurableSdkVersion(file);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DurableSdkPinError);
    expect(thrown).toMatchObject({ code: 'DURABLE_SDK_NOT_PINNED' });
    expect((thrown as Error).message).toContain(says);
    expect((thrown as Error).message).toContain('Reinstall @durable/core');
  });
});
