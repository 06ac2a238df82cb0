import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, cleanUp, copyFixture, runCli } from './cli-harness.js';

beforeAll(assertCliBuilt);
afterEach(cleanUp);

describe('durable-gen bundle', () => {
  it('bundles each generated service into a zip, one line each: name, zip, size, sha256 prefix', async () => {
    const app = copyFixture();
    const generated = await runCli(['generate', '--account', '123456789012', '--region', 'eu-west-1'], app);
    expect(generated.code).toBe(0);

    const { code, stdout, stderr } = await runCli(['bundle'], app);
    expect(stderr).toBe('');
    for (const name of ['orders', 'receipts']) {
      const zip = readFileSync(path.join(app, 'dist', `${name}.zip`));
      const sha256 = createHash('sha256').update(zip).digest('hex');
      expect(stdout).toMatch(
        new RegExp(`^${name} +dist/${name}\\.zip +[\\d.]+ k?B +sha256 ${sha256.slice(0, 12)}$`, 'm'),
      );
    }
    expect(stdout).toMatch(/^2 services bundled into dist\/$/m);
    expect(code).toBe(0);

    const json = await runCli(['bundle', '--service', 'receipts', '--format', 'json'], app);
    const result = JSON.parse(json.stdout) as { services: { name: string; zip: string; bytes: number }[] };
    expect(result.services.map((s) => s.name)).toEqual(['receipts']);
    expect(result.services[0]?.bytes).toBeGreaterThan(0);
    expect(json.code).toBe(0);
  });

  it('exits 1 with what to do when nothing was generated', async () => {
    const { code, stderr } = await runCli(['bundle'], copyFixture());
    expect(stderr).toContain('run `durable-gen generate` first');
    expect(code).toBe(1);
  });
});
