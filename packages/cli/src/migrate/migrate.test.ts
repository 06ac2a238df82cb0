import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Manifest, ManifestService } from '@durable/codegen';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../cli-error.js';
import { migrate } from './migrate.js';
import { MigrateError } from './migrate-error.js';

/** The refusals migrate makes from the manifest and its options alone, before it calls any API. */

const roots: string[] = [];

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const service = (overrides: Partial<ManifestService>): ManifestService => ({
  class: 'Orders',
  source: 'src/orders.ts',
  functionName: 'orders',
  functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
  account: '123456789012',
  region: 'us-east-1',
  table: 'durable-executions',
  backend: 'dynamodb',
  client: 'OrdersClient',
  targetArnEnv: 'DURABLE_TARGET_ORDERS_ARN',
  invokes: [],
  workflows: {},
  coreVersion: '0.0.0',
  bundle: null,
  deployment: { publishedVersion: '2', qualifiedArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders:2' },
  ...overrides,
});

/** An app whose manifest holds `services`. */
function appWith(services: Record<string, ManifestService>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'durable-migrate-'));
  roots.push(root);
  mkdirSync(path.join(root, 'generated'));
  const manifest: Manifest = { generatedBy: 'test', coreVersion: '0.0.0', services };
  writeFileSync(path.join(root, 'generated/manifest.json'), JSON.stringify(manifest));
  return root;
}

async function refusal(work: Promise<unknown>): Promise<MigrateError> {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrateError);
  return error as MigrateError;
}

describe('migrate refuses, before it checks anything', () => {
  it('a service on lambda-durable: AWS pins those executions itself', async () => {
    const root = appWith({ payments: service({ backend: 'lambda-durable', table: undefined }) });

    const error = await refusal(migrate({ root, service: 'payments', to: '2' }));

    expect(error.code).toBe('LAMBDA_DURABLE');
    expect(error.message).toContain("service 'payments' runs on lambda-durable");
    expect(error.exitCode).toBe(ExitCode.failure);
  });

  it('an unknown service, as a usage error that names the known ones', async () => {
    const root = appWith({ orders: service({}) });

    const error = await refusal(migrate({ root, service: 'billing', to: '2' }));

    expect(error.code).toBe('UNKNOWN_SERVICE');
    expect(error.message).toContain("the manifest has no service 'billing' (it has: orders)");
    expect(error.exitCode).toBe(ExitCode.usage);
  });

  it('a service never deployed', async () => {
    const root = appWith({ orders: service({ deployment: null }) });

    const error = await refusal(migrate({ root, service: 'orders', to: '2' }));

    expect(error.code).toBe('NOT_DEPLOYED');
  });

  it.each([
    ['a version that is not a number', { to: 'live' }, 'BAD_VERSION', "--to 'live' is not a published version number"],
    ['$LATEST', { to: '$LATEST' }, 'BAD_VERSION', "--to '$LATEST' is not a published version number"],
    ['a --from that is not older', { to: '2', from: '3' }, 'VERSION_NOT_NEWER', '--to 2 is not newer than --from 3'],
  ])('%s, as a usage error', async (_what, versions, code, message) => {
    const root = appWith({ orders: service({}) });

    const error = await refusal(migrate({ root, service: 'orders', ...versions }));

    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.exitCode).toBe(ExitCode.usage);
  });
});
