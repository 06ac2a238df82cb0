import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createHandler,
  type DurableContext,
  DurableService,
  InvalidEventError,
  type Resumer,
  Step,
  sweepEvent,
  Workflow,
} from '../index.js';
import { CountingStore } from '../testing/counting-store.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:swept-reminder';
const ran: string[] = [];

@DurableService({ name: 'swept-reminder' })
class Reminder {
  @Workflow()
  async remind(ctx: DurableContext, input: { who: string; afterSeconds: number }) {
    await ctx.sleep('wait', { seconds: input.afterSeconds });
    return this.send(input.who);
  }

  @Step() async send(who: string) {
    ran.push(who);
    return `reminded ${who}`;
  }
}

/**
 * Versions 1 and 2 of one function over one store, and a resumer that
 * delivers each resume as Lambda would: to the version its ARN names.
 */
function deployment(options: { failFor?: string } = {}) {
  const store = new CountingStore(testStore());
  let clock = Date.UTC(2026, 11, 1);
  const logger = new RecordingLogger();
  const resumes: Array<{ functionArn: string; executionId: string }> = [];
  const runs: Array<Promise<unknown>> = [];
  const resumer: Resumer = {
    async resume(functionArn, executionId) {
      if (executionId === options.failFor)
        throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
      resumes.push({ functionArn, executionId });
      const version = functionArn.slice(FUNCTION.length + 1);
      // Accepted at once, run later: an asynchronous invoke.
      runs.push(handler({ executionId }, on(version)));
    },
  };
  const handler = createHandler(Reminder, { store, logger, resumer, now: () => clock, maxInProcessWaitMs: 0 });
  const on = (version: string, qualifier = version) => ({
    invokedFunctionArn: `${FUNCTION}:${qualifier}`,
    functionVersion: version,
    getRemainingTimeInMillis: () => 30_000,
  });
  return {
    store,
    handler,
    on,
    logger,
    resumes,
    settled: () => Promise.all(runs),
    advance: (ms: number) => (clock += ms),
  };
}

const key = (executionId: string) => ({ service: 'swept-reminder', executionId });

afterEach(() => {
  ran.length = 0;
});

describe('the sweeper', () => {
  it('resumes each due execution on the version it is pinned to, and leaves the others', async () => {
    const { store, handler, on, resumes, settled, advance } = deployment();
    const onV1 = uniqueId('v1');
    const onV2 = uniqueId('v2');
    const later = uniqueId('later');
    await handler({ executionId: onV1, input: { who: 'ana', afterSeconds: 60 } }, on('1'));
    await handler({ executionId: onV2, input: { who: 'bo', afterSeconds: 60 } }, on('2', 'live'));
    await handler({ executionId: later, input: { who: 'cy', afterSeconds: 3_600 } }, on('2', 'live'));

    advance(61_000);
    const swept = await handler(sweepEvent('swept-reminder'), on('2', 'live'));
    await settled();

    expect(swept).toMatchObject({ status: 'SWEPT', service: 'swept-reminder', failed: [], more: false });
    expect(resumes.sort((a, b) => a.functionArn.localeCompare(b.functionArn))).toEqual([
      { functionArn: `${FUNCTION}:1`, executionId: onV1 },
      { functionArn: `${FUNCTION}:2`, executionId: onV2 },
    ]);
    expect(ran.sort()).toEqual(['ana', 'bo']);
    expect((await store.getExecution(key(onV1)))?.status).toBe('SUCCEEDED');
    expect((await store.getExecution(key(later)))?.status).toBe('SUSPENDED');

    // Nothing is due any more: a second sweep resumes nothing.
    resumes.length = 0;
    expect(await handler(sweepEvent('swept-reminder'), on('2', 'live'))).toMatchObject({ resumed: [], failed: [] });
  });

  it('reports a resume that fails and goes on with the others; the failed one stays due', async () => {
    const failing = uniqueId('throttled');
    const { store, handler, on, resumes, settled, advance, logger } = deployment({ failFor: failing });
    const fine = uniqueId('fine');
    await handler({ executionId: failing, input: { who: 'dee', afterSeconds: 1 } }, on('1'));
    await handler({ executionId: fine, input: { who: 'eli', afterSeconds: 1 } }, on('1'));
    advance(2_000);

    const swept = await handler(sweepEvent('swept-reminder'), on('1'));
    await settled();

    expect(swept.failed).toEqual([
      { executionId: failing, error: expect.stringContaining('TooManyRequestsException') as string },
    ]);
    expect(resumes.map((r) => r.executionId)).toEqual([fine]);
    expect((await store.getExecution(key(failing)))?.status).toBe('SUSPENDED');
    expect(logger.entries.some((entry) => entry.level === 'error')).toBe(true);
  });

  it('refuses a sweep event of another service, and a handler without a resumer, writing nothing', async () => {
    const { store, handler, on } = deployment();
    const before = store.total;
    expect(await rejectionOf(handler(sweepEvent('other-service'), on('1')))).toBeInstanceOf(InvalidEventError);
    // A sweep-shaped event is never read as a workflow event, whatever else it carries.
    expect(
      await rejectionOf(handler({ durableSweep: 1, service: 'nope', executionId: 'x', input: {} }, on('1'))),
    ).toBeInstanceOf(InvalidEventError);
    expect(store.total).toBe(before);

    const withoutResumer = createHandler(Reminder, { store, logger: new RecordingLogger() });
    expect(await rejectionOf(withoutResumer(sweepEvent('swept-reminder'), on('1')))).toBeInstanceOf(ConfigurationError);
  });
});
