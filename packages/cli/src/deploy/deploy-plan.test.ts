import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeploymentInfo, Manifest, ManifestService } from '@durable/codegen';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployError } from './deploy-error.js';
import { planDeploy } from './deploy-plan.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** An app folder whose manifest has `services` (name → invokes), each with a zip that matches its record. */
function app(services: Record<string, string[]>, deployments: Record<string, DeploymentInfo> = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'durable-deploy-plan-'));
  roots.push(root);
  mkdirSync(path.join(root, 'generated'));
  mkdirSync(path.join(root, 'dist'));
  const entries: Record<string, ManifestService> = {};
  for (const [name, invokes] of Object.entries(services)) {
    const zip = Buffer.from(`zip of ${name}`);
    writeFileSync(path.join(root, 'dist', `${name}.zip`), zip);
    entries[name] = {
      class: name,
      source: `src/${name}.ts`,
      functionName: name,
      functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
      account: '123456789012',
      region: 'us-east-1',
      table: 'durable-executions',
      backend: 'dynamodb',
      client: `${name}Client`,
      targetArnEnv: `DURABLE_TARGET_${name.toUpperCase()}_ARN`,
      invokes,
      workflows: {},
      coreVersion: '0.1.0',
      bundle: {
        sha256: createHash('sha256').update(zip).digest('hex'),
        coreVersion: '0.1.0',
        zip: `dist/${name}.zip`,
        bytes: zip.byteLength,
      },
      deployment: deployments[name] ?? null,
    };
  }
  const manifest: Manifest = { generatedBy: 'test', coreVersion: '0.1.0', services: entries };
  writeFileSync(path.join(root, 'generated/manifest.json'), JSON.stringify(manifest));
  return root;
}

function planError(run: () => unknown): DeployError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeployError) return error;
    throw error;
  }
  throw new Error('planDeploy did not refuse');
}

describe('planDeploy', () => {
  it('orders callees before their callers, ties by name', () => {
    const root = app({ api: ['billing', 'mail'], billing: ['mail'], mail: [], zebra: [] });
    const plan = planDeploy({ root, generatedDir: 'generated' });
    expect(plan.services.map((s) => s.name)).toEqual(['mail', 'billing', 'api', 'zebra']);
  });

  it('refuses a cycle, naming it', () => {
    const root = app({ a: ['b'], b: ['c'], c: ['a'] });
    const error = planError(() => planDeploy({ root, generatedDir: 'generated' }));
    expect(error.code).toBe('INVOKE_CYCLE');
    expect(error.message).toContain('a → b → c → a');
  });

  it('names every zip to rebuild, and takes an unselected callee from its recorded deployment', () => {
    const root = app({ a: [], b: [] });
    writeFileSync(path.join(root, 'dist/a.zip'), 'changed');
    rmSync(path.join(root, 'dist/b.zip'));
    const error = planError(() => planDeploy({ root, generatedDir: 'generated' }));
    expect(error.code).toBe('ZIP_CHANGED');
    expect(error.message).toMatch(
      /dist\/a\.zip of service 'a' is not the zip .*; dist\/b\.zip of service 'b' does not exist/,
    );

    const recorded = { publishedVersion: '4', qualifiedArn: 'arn:aws:lambda:us-east-1:123456789012:function:mail:4' };
    const withMail = app({ api: ['mail'], mail: [] }, { mail: recorded });
    const plan = planDeploy({ root: withMail, generatedDir: 'generated', services: ['api'] });
    expect(plan.services.map((s) => s.name)).toEqual(['api']);
    expect(plan.recordedTargets).toEqual(new Map([['mail', recorded.qualifiedArn]]));
    // Recorded on AWS: not a target for a deploy to another Lambda API.
    const elsewhere = planError(() =>
      planDeploy({ root: withMail, generatedDir: 'generated', services: ['api'], endpoint: 'http://127.0.0.1:9001' }),
    );
    expect(elsewhere.code).toBe('CALLEE_NOT_DEPLOYED');
    expect(elsewhere.message).toContain('add --service mail');
  });

  it('refuses an unselected callee that was never deployed, and an unknown service as a usage error', () => {
    const root = app({ api: ['mail'], mail: [] });
    expect(planError(() => planDeploy({ root, generatedDir: 'generated', services: ['api'] })).code).toBe(
      'CALLEE_NOT_DEPLOYED',
    );
    const unknown = planError(() => planDeploy({ root, generatedDir: 'generated', services: ['nope'] }));
    expect([unknown.code, unknown.exitCode]).toEqual(['UNKNOWN_SERVICE', 2]);
  });
});
