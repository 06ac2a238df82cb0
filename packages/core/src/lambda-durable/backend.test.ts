import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_VERSION } from '@aws/durable-execution-sdk-js';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createHandler,
  type DurableContext,
  DurableService,
  MemoryStore,
  Workflow,
} from '../index.js';
import { thrownBy } from '../testing/fixtures.js';
import { sdkVersionProblem } from './sdk-version.js';

/**
 * The backend as a whole: how `createHandler` finds it, what it refuses at cold start, and that the main entry
 * never reaches the SDK. The first test runs before this file imports the subpath (vitest gives each test file
 * its own modules).
 */

@DurableService({ name: 'orders', backend: 'lambda-durable' })
class NativeOrders {
  @Workflow() async place(_ctx: DurableContext) {
    return 'placed';
  }
}

describe('the lambda-durable backend', () => {
  it('is refused with BackendNotLoadedError until @durable/core/lambda-durable is imported', async () => {
    const error = thrownBy(() => createHandler(NativeOrders));
    expect(error).toMatchObject({ code: 'BACKEND_NOT_LOADED', service: 'orders', backend: 'lambda-durable' });
    expect((error as Error).message).toContain("import '@durable/core/lambda-durable';");

    const { BackendNotLoadedError } = await import('../lambda-durable.js');
    expect(error).toBeInstanceOf(BackendNotLoadedError);
    const handler = createHandler(NativeOrders);
    expect(handler).toBeTypeOf('function');
    expect(handler.service.name).toBe('orders');
  });

  it('makes the same handler with createDurableHandler, refusing a service declared for the dynamodb backend', async () => {
    const { createDurableHandler } = await import('../lambda-durable.js');
    expect(createDurableHandler(NativeOrders).service.name).toBe('orders');
    @DurableService({ name: 'ledger', backend: 'dynamodb' })
    class Ledger {
      @Workflow() async post(_ctx: DurableContext) {}
    }
    const error = thrownBy(() => createDurableHandler(Ledger));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("declared with backend 'dynamodb'");
  });

  it('refuses createHandler options that name what the service does itself', async () => {
    await import('../lambda-durable.js');
    const error = thrownBy(() => createHandler(NativeOrders, { store: new MemoryStore() }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain("option 'store' has no meaning on backend 'lambda-durable'");
  });

  it('answers a $LATEST invocation FAILED with UnpinnedInvocationError, running nothing', async () => {
    const { decodeExecutionError } = await import('../lambda-durable.js');
    const handler = createHandler(NativeOrders, { backend: 'lambda-durable' });
    const answer = await handler(
      {
        DurableExecutionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders:$LATEST/durable-execution/a/b',
        CheckpointToken: 'token',
        InitialExecutionState: {
          Operations: [
            {
              Id: 'execution',
              Type: 'EXECUTION',
              Status: 'STARTED',
              StartTimestamp: new Date(),
              ExecutionDetails: { InputPayload: '{}' },
            },
          ],
        },
      },
      {
        awsRequestId: 'request-1',
        invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:orders:$LATEST',
        getRemainingTimeInMillis: () => 60_000,
      } as Parameters<typeof handler>[1],
    );
    expect(answer.Status).toBe('FAILED');
    const error = decodeExecutionError((answer as { Error: { ErrorData?: string } }).Error);
    expect(error).toMatchObject({ code: 'UNPINNED_INVOCATION', service: 'orders' });
  });
});

describe('the SDK version check', () => {
  it('passes the pinned version that is installed', async () => {
    const { assertDurableSdkVersion, DURABLE_SDK_VERSION } = await import('../lambda-durable.js');
    expect(SDK_VERSION).toBe(DURABLE_SDK_VERSION);
    expect(() => assertDurableSdkVersion('2.4.0')).not.toThrow();
  });

  it('refuses another version with DurableSdkVersionError naming what was loaded', async () => {
    const { assertDurableSdkVersion, DurableSdkVersionError } = await import('../lambda-durable.js');
    const error = thrownBy(() => assertDurableSdkVersion('2.5.0'));
    expect(error).toBeInstanceOf(DurableSdkVersionError);
    expect(error).toMatchObject({ code: 'DURABLE_SDK_VERSION', expected: '2.5.0', loaded: '2.4.0' });
    expect((error as Error).message).toContain('install exactly @aws/durable-execution-sdk-js@2.5.0');
  });

  it("names the runtime's own copy when the loaded SDK reports the -bundled suffix", () => {
    expect(sdkVersionProblem('2.4.0', '2.4.0-bundled')).toContain("the Lambda runtime's own copy");
    expect(sdkVersionProblem('2.4.0', '2.4.0')).toBeUndefined();
  });
});

/** `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')`: every way a module can load another. */
const IMPORTS =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

describe("core's main entry", () => {
  it('never imports the SDK, even through another module: dynamodb bundles stay without it', () => {
    const src = join(dirname(fileURLToPath(import.meta.url)), '..');
    const seen = new Set<string>();
    const importers: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(IMPORTS)) {
        const specifier = match[1] ?? match[2] ?? match[3]!;
        if (specifier.startsWith('@aws/durable-execution-sdk-js')) importers.push(file.slice(src.length + 1));
        if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    };
    visit(join(src, 'index.ts'));
    expect(seen.size).toBeGreaterThan(50);
    expect(seen.has(join(src, 'handler', 'create-handler.ts'))).toBe(true);
    expect(importers).toEqual([]);
  });
});
