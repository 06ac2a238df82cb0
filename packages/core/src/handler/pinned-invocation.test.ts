import { describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  Step,
  UnpinnedInvocationError,
  Workflow,
} from '../index.js';
import { CountingStore } from '../testing/counting-store.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

const ran: string[] = [];
const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:pinned-counter';

@DurableService({ name: 'pinned-counter' })
class Counter {
  @Workflow()
  async count(_ctx: DurableContext, input: { n: number }) {
    return this.next(input.n);
  }

  @Step() async next(n: number) {
    ran.push('next');
    return n + 1;
  }
}

function counter() {
  const store = new CountingStore(testStore());
  const handler = createHandler(Counter, { store, logger: new RecordingLogger() });
  return { store, handler };
}

describe('a handler invoked unqualified or as $LATEST', () => {
  it.each([
    ['unqualified', FUNCTION, 'unqualified'],
    ['as $LATEST', `${FUNCTION}:$LATEST`, 'which pins no code'],
    ['through something that is no Lambda ARN', 'pinned-counter', 'which is not a Lambda function ARN'],
  ])('refuses to run when invoked %s, and writes nothing', async (_how, invokedFunctionArn, reason) => {
    const { store, handler } = counter();
    ran.length = 0;
    const executionId = uniqueId('pinned');

    const error = await rejectionOf(handler({ executionId, input: { n: 1 } }, { invokedFunctionArn }));

    expect(error).toBeInstanceOf(UnpinnedInvocationError);
    expect(error).toMatchObject({
      code: 'UNPINNED_INVOCATION',
      service: 'pinned-counter',
      invokedFunctionArn,
      message: expect.stringContaining(`was invoked as '${invokedFunctionArn}', ${reason}`) as string,
    });
    expect((error as Error).message).toContain('Invoke a published version or an alias');
    expect(store.total).toBe(0);
    expect(ran).toEqual([]);
  });

  it('refuses a resume event too, before reading the journal', async () => {
    const { store, handler } = counter();
    const executionId = uniqueId('pinned');
    await handler({ executionId, input: { n: 1 } }, { invokedFunctionArn: `${FUNCTION}:3` });
    store.reset();

    const error = await rejectionOf(handler({ executionId }, { invokedFunctionArn: `${FUNCTION}:$LATEST` }));

    expect(error).toBeInstanceOf(UnpinnedInvocationError);
    expect(store.total).toBe(0);
  });
});

describe('a handler invoked through a version or an alias, or with no Lambda ARN at all', () => {
  it.each([
    ['a published version', { invokedFunctionArn: `${FUNCTION}:3` }],
    ['an alias', { invokedFunctionArn: `${FUNCTION}:live` }],
    ['a Lambda context without an ARN (tests)', { getRemainingTimeInMillis: () => 5_000 }],
    ['no Lambda context (local tools, InProcessInvoker)', undefined],
  ])('runs, through %s', async (_how, lambdaContext) => {
    const { handler } = counter();
    const executionId = uniqueId('pinned');
    await expect(handler({ executionId, input: { n: 41 } }, lambdaContext)).resolves.toEqual({
      status: 'SUCCEEDED',
      executionId,
      output: 42,
    });
  });
});
