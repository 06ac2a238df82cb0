import { afterEach, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  NonDeterminismError,
  Step,
  Workflow,
  WrongVersionError,
} from '../index.js';
import { CountingStore } from '../testing/counting-store.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

const ran: string[] = [];
const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:pinned-review';

@DurableService({ name: 'pinned-review' })
class Review {
  @Workflow()
  async review(ctx: DurableContext, input: { pr: number }) {
    const draft = await this.draft(input.pr);
    await ctx.sleep('cooldown', { seconds: 60 });
    return this.publish(draft);
  }

  @Step() async draft(pr: number) {
    ran.push('draft');
    return `review of #${pr}`;
  }

  @Step() async publish(draft: string) {
    ran.push('publish');
    return `${draft}: published`;
  }
}

/** One handler over a shared store and clock: the same function deployed as several versions. */
function deployment() {
  const store = new CountingStore(testStore());
  let clock = Date.UTC(2026, 11, 1);
  const handler = createHandler(Review, {
    store,
    logger: new RecordingLogger(),
    now: () => clock,
    // Every sleep suspends, as it would past a Lambda's time: the next invocation is the resume.
    maxInProcessWaitMs: 0,
  });
  /** A Lambda context of version `version`, invoked through `qualifier` (the version itself, or an alias). */
  const on = (version: string, qualifier = version) => ({
    invokedFunctionArn: `${FUNCTION}:${qualifier}`,
    functionVersion: version,
    getRemainingTimeInMillis: () => 30_000,
  });
  return { store, handler, on, advance: (ms: number) => (clock += ms) };
}

afterEach(() => {
  ran.length = 0;
});

describe('an execution is pinned to the version that started it', () => {
  it('records the version behind the alias it was started through, and resumes only on it', async () => {
    const { store, handler, on, advance } = deployment();
    const executionId = uniqueId('pinned');

    const first = await handler({ executionId, input: { pr: 7 } }, on('3', 'live'));
    expect(first.status).toBe('SUSPENDED');
    const record = await store.getExecution({ service: 'pinned-review', executionId });
    expect(record?.pinnedVersion).toEqual({ functionArn: FUNCTION, version: '3' });

    // The alias moved to version 4; the sweeper's resume reaches version 4 by mistake.
    advance(61_000);
    const writesBefore = store.total;
    const refused = await rejectionOf(handler({ executionId }, on('4', 'live')));
    expect(refused).toBeInstanceOf(WrongVersionError);
    expect(refused).toMatchObject({
      code: 'WRONG_VERSION',
      retryable: true,
      pinned: { functionArn: FUNCTION, version: '3' },
      running: { functionArn: FUNCTION, version: '4' },
    });
    expect((refused as Error).message).toContain(`Invoke ${FUNCTION}:3 to resume it`);
    // One claim, refused: no write landed, the execution is as it was and still due.
    expect(store.total - writesBefore).toBe(1);
    expect(await store.getExecution({ service: 'pinned-review', executionId })).toEqual(record);
    expect(ran).toEqual(['draft']);

    const resumed = await handler({ executionId }, on('3'));
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', output: 'review of #7: published' });
    expect(ran).toEqual(['draft', 'publish']);
  });

  it('runs new executions on the new version while old ones stay on theirs', async () => {
    const { store, handler, on } = deployment();
    const old = uniqueId('old');
    const fresh = uniqueId('new');

    await handler({ executionId: old, input: { pr: 1 } }, on('1'));
    await handler({ executionId: fresh, input: { pr: 2 } }, on('2', 'live'));

    const pins = await Promise.all(
      [old, fresh].map(
        async (executionId) =>
          (await store.getExecution({ service: 'pinned-review', executionId }))?.pinnedVersion?.version,
      ),
    );
    expect(pins).toEqual(['1', '2']);
  });

  it('pins nothing outside Lambda: local tools and tests run the code at hand', async () => {
    const { store, handler } = deployment();
    const executionId = uniqueId('local');
    await handler({ executionId, input: { pr: 3 } });
    expect((await store.getExecution({ service: 'pinned-review', executionId }))?.pinnedVersion).toBeUndefined();
  });
});

/** A workflow whose path depends on something outside the journal: what a pinned version can still get wrong. */
let publishesFirst = false;

@DurableService({ name: 'pinned-flaky' })
class FlakyPath {
  @Workflow()
  async review(ctx: DurableContext) {
    if (publishesFirst) await ctx.step('publish', () => 'published');
    await ctx.step('draft', () => 'drafted');
    await ctx.sleep('cooldown', { seconds: 60 });
    return 'done';
  }
}

describe('a NonDeterminismError of a pinned execution', () => {
  afterEach(() => {
    publishesFirst = false;
  });

  it('names the version that recorded it, the one running it, and the commands that check changes', async () => {
    const store = testStore();
    let clock = Date.UTC(2026, 11, 1);
    const handler = createHandler(FlakyPath, {
      store,
      logger: new RecordingLogger(),
      now: () => clock,
      maxInProcessWaitMs: 0,
    });
    const on = (version: string) => ({
      invokedFunctionArn: `${FUNCTION}:${version}`,
      functionVersion: version,
      getRemainingTimeInMillis: () => 30_000,
    });
    const executionId = uniqueId('flaky');
    expect((await handler({ executionId, input: {} }, on('5'))).status).toBe('SUSPENDED');

    publishesFirst = true;
    clock += 61_000;
    const error = await rejectionOf(handler({ executionId }, on('5')));
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect(error).toMatchObject({ position: '1', versions: { recorded: '5', running: '5' } });
    const { message } = error as Error;
    expect(message).toContain("the journal has step 'draft', the code now calls step 'publish'");
    expect(message).toContain('recorded by version 5, which runs it now: its path depends on something outside');
    expect(message).toContain('`durable-gen diff`');
    expect(message).toContain('`durable-gen replay`');
    // The journal keeps the explained error: `executions show` says the same as the thrown one.
    const record = await store.getExecution({ service: 'pinned-flaky', executionId });
    expect(record?.status).toBe('FAILED');
    expect(record?.error).toContain('recorded by version 5');
  });

  it('says when the running version is another one than the recording one', () => {
    const recorded = { kind: 'step' as const, name: 'draft', argsHash: 'a' };
    const error = new NonDeterminismError('2', recorded, null).withVersions({ recorded: '1', running: '2' });
    expect(error.message).toContain('The execution was recorded by version 1 and runs on version 2 now.');
    expect(error.stack).toContain('recorded by version 1');
    expect(new NonDeterminismError('2', recorded, null).message).not.toContain('version 1');
  });
});
