import type { ManifestService } from '@durable/codegen';
import { describe, expect, it } from 'vitest';
import { DeployError } from './deploy-error.js';
import { checkDurableConfig, durableConfigOf } from './native-function.js';

/** A manifest entry of `backend`, as generate writes it (only what these checks read is filled in). */
function entry(backend: 'dynamodb' | 'lambda-durable', extra: Partial<ManifestService> = {}): ManifestService {
  return { backend, functionName: 'payments', ...extra } as ManifestService;
}

const NATIVE = entry('lambda-durable', { durableConfig: { executionTimeoutSeconds: 86_400, retentionDays: 7 } });

function refusal(check: () => void): DeployError {
  try {
    check();
  } catch (error) {
    if (error instanceof DeployError) return error;
    throw error;
  }
  throw new Error('expected a DeployError');
}

describe('a lambda-durable service on deploy', () => {
  it("creates its function with the decorator's lifetimes as DurableConfig; a dynamodb service gets none", () => {
    expect(durableConfigOf('payments', NATIVE)).toEqual({ ExecutionTimeout: 86_400, RetentionPeriodInDays: 7 });
    expect(durableConfigOf('orders', entry('dynamodb'))).toBeUndefined();
  });

  it('refuses a manifest that records no durable configuration, naming the commands to run', () => {
    const error = refusal(() => durableConfigOf('payments', entry('lambda-durable')));
    expect(error.code).toBe('NO_DURABLE_CONFIG');
    expect(error.message).toMatch(/durable-gen generate.*durable-gen bundle/);
  });

  it('refuses to switch an existing function between backends, since Lambda sets DurableConfig only at creation', () => {
    const desired = durableConfigOf('payments', NATIVE);
    const toNative = refusal(() => checkDurableConfig('payments', { FunctionName: 'payments' }, desired));
    expect(toNative.code).toBe('BACKEND_SWITCH');
    expect(toNative.message).toMatch(/exists without durable execution.*only when a function is created/);
    const toDynamoDb = refusal(() =>
      checkDurableConfig('payments', { FunctionName: 'payments', DurableConfig: { ExecutionTimeout: 60 } }, undefined),
    );
    expect(toDynamoDb.code).toBe('BACKEND_SWITCH');
    expect(toDynamoDb.message).toMatch(/is a Lambda durable function/);
  });

  it('refuses changed lifetimes of an existing durable function, and accepts the same ones', () => {
    const desired = durableConfigOf('payments', NATIVE);
    const changed = refusal(() =>
      checkDurableConfig(
        'payments',
        { FunctionName: 'payments', DurableConfig: { ExecutionTimeout: 3_600, RetentionPeriodInDays: 7 } },
        desired,
      ),
    );
    expect(changed.code).toBe('DURABLE_CONFIG_CHANGED');
    expect(changed.message).toMatch(/ExecutionTimeout 3600 s .* now says 86400 s/);
    expect(() => checkDurableConfig('payments', { DurableConfig: desired }, desired)).not.toThrow();
    expect(() => checkDurableConfig('orders', {}, undefined)).not.toThrow();
  });
});
