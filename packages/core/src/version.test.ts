import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertCoreVersion, CORE_VERSION, VersionMismatchError } from './index.js';

describe('CORE_VERSION', () => {
  it('is the version in package.json, which generated handlers compare against', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(CORE_VERSION).toBe(manifest.version);
  });

  it('assertCoreVersion refuses another version with a VersionMismatchError that says how to fix it', () => {
    expect(() => assertCoreVersion(CORE_VERSION)).not.toThrow();
    expect(() => assertCoreVersion('0.0.1')).toThrow(VersionMismatchError);
    expect(() => assertCoreVersion('0.0.1')).toThrow(
      /generated for @durable\/core 0\.0\.1 but runs .*durable-gen generate/,
    );
  });
});
