import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { bundle, generate } from '../../packages/codegen/src/index.js';
import { assertCoreBuilt, emptyApp, REPO_ROOT, SOURCES } from '../bundle/bundle-app.js';

/** The account and region the copy is generated for, and that `durable-gen dev` plays. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/**
 * A copy of `apps/sample` (its services and events) in a fresh folder inside
 * the repository, generated for {@link ACCOUNT} in {@link REGION} and
 * bundled: what a person has after README steps 2 and 5.
 */
export async function bundledSampleApp(): Promise<string> {
  assertCoreBuilt();
  const root = emptyApp();
  for (const folder of ['src', 'events']) {
    cpSync(path.join(REPO_ROOT, 'apps/sample', folder), path.join(root, folder), { recursive: true });
  }
  // The sample's own tsconfig extends the repository's by a relative path; the bundle tests' one stands alone.
  writeFileSync(path.join(root, 'tsconfig.json'), SOURCES['tsconfig.json']!);
  writeFileSync(
    path.join(root, 'package.json'),
    `${JSON.stringify({ name: 'deploy-test-app', private: true, type: 'module' })}\n`,
  );
  await generateAndBundle(root);
  return root;
}

/** `durable-gen generate` (with the manifest's options) and `durable-gen bundle` of `services`, as the commands do. */
export async function generateAndBundle(root: string, services?: string[]): Promise<void> {
  const { diagnostics } = generate({ root, paths: ['src'], account: ACCOUNT, region: REGION });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  await bundle({ root, ...(services === undefined ? {} : { services }) });
}

/** A file of the app, as text. */
export function readAppFile(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}
