import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertPackagesBuilt,
  describeRun,
  lastJsonLine,
  REPO_ROOT,
  readmeAppSteps,
  runLine,
  SECTION,
  writeAppFile,
} from './readme-app.js';

/**
 * A new user, on a fresh clone: README "Start your own app", block by block,
 * in a folder outside the repository (under the system's temp folder), so
 * nothing resolves through the repository's node_modules. The clone is this
 * repository, linked as `durable/` beside `my-app/`; its one block (`npm ci`,
 * `npm run build`) is what `npm test` has done before this test runs.
 */

let root: string;
let app: string;

beforeAll(() => {
  assertPackagesBuilt();
  root = mkdtempSync(path.join(realpathSync(tmpdir()), 'durable-start-your-own-app-'));
  symlinkSync(REPO_ROOT, path.join(root, 'durable'), 'dir');
  app = path.join(root, 'my-app');
  mkdirSync(app);
});

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe(`README "${SECTION}", followed literally outside the repository`, () => {
  it('packs and installs the packages, then two services: an invoke, and a callback completed by durable-gen callbacks complete', {
    timeout: 600_000,
  }, () => {
    const outputs = new Map<string, string>();
    for (const step of readmeAppSteps()) {
      if (step.kind === 'file') {
        writeAppFile(app, step);
        continue;
      }
      if (step.where === 'durable') {
        // `npm test` runs in a clone after `npm ci`, and builds (tsc -b) before the tests.
        expect(step.lines).toEqual(['npm ci', 'npm run build']);
        continue;
      }
      for (const line of step.lines) {
        const result = runLine(line, app);
        expect(result.status, describeRun(line, app, result)).toBe(0);
        outputs.set(line, result.stdout);
      }
    }

    const ran = [...outputs.keys()];
    const output = (prefix: string): string => {
      const line = ran.find((command) => command.startsWith(prefix));
      expect(line, `the README's first commands include \`${prefix} …\``).toBeDefined();
      return outputs.get(line ?? '') ?? '';
    };
    for (const prefix of ['npm pack', 'npm install', 'npx durable-gen check', 'npx tsc', 'npx vitest run'])
      output(prefix);

    // The packages came from the tarballs, not from links into the repository.
    for (const name of ['core', 'codegen', 'cli']) {
      expect(lstatSync(path.join(app, 'node_modules/@durable', name)).isSymbolicLink(), name).toBe(false);
    }

    output('npx durable-gen generate');
    for (const file of ['handlers/orders.ts', 'handlers/shipping.ts', 'clients/shipping.ts', 'manifest.json']) {
      expect(existsSync(path.join(app, 'generated', file)), `generated/${file}`).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(app, 'generated/manifest.json'), 'utf8'));
    expect(manifest.services.orders.invokes).toEqual(expect.arrayContaining([expect.stringContaining('shipping')]));

    // The order waits for its approval...
    expect(lastJsonLine(output('npx durable-gen run OrderService.place'))).toMatchObject({
      status: 'SUSPENDED',
      executionId: 'o-1',
    });
    expect(output('npx durable-gen callbacks list')).toMatch(/orders\s+o-1\s+approval\s/);
    // ...which callbacks complete gives it, and the resume that follows invokes the shipping service.
    expect(lastJsonLine(output('npx durable-gen callbacks complete'))).toMatchObject({
      status: 'SUCCEEDED',
      executionId: 'o-1',
      output: { receipt: 'rcpt-o-1-1250', approvedBy: 'ana', trackingId: 'trk-o-1' },
    });
    expect(output('npx durable-gen executions show o-1')).toMatch(/^status\s+SUCCEEDED$/m);

    output('npx durable-gen bundle');
    for (const service of ['orders', 'shipping']) {
      expect(existsSync(path.join(app, 'dist', `${service}.zip`)), `dist/${service}.zip`).toBe(true);
    }
  });
});
