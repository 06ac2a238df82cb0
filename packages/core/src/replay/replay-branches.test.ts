import { describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  type ExecutionExport,
  exportExecution,
  isDurableError,
  MemoryStore,
  type NonDeterminismError,
  replayJournal,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';

// While one branch waits where the journal has no outcome yet (a step waiting to retry), replayJournal goes on
// with the others. Each case records an execution with `Fan`, then asks both replayJournal and the engine itself
// (resuming the same execution on the changed code, once the retry is due) what they make of it: they must agree.

const HOUR_MS = 3_600_000;

/** Step bodies that ran, by name. */
const ran: string[] = [];
/** How many more times `flaky` fails: it fails once while recording, and succeeds when the engine resumes. */
let failuresLeft = 0;

const retryInAnHour = { retry: { maxAttempts: 5, initialDelayMs: HOUR_MS } };

@DurableService({ name: 'fan' })
class Fan {
  @Workflow() async parallel(ctx: DurableContext) {
    return ctx.parallel<unknown>('spread', [
      async () => this.flaky(),
      async () => [await this.right(2), await this.right(3)],
    ]);
  }
  @Workflow() async map(ctx: DurableContext) {
    return ctx.map('items', [1, 2, 3], async (n) => (n === 1 ? this.flaky() : this.right(n)), { maxConcurrency: 2 });
  }
  /** Two steps at once without ctx.parallel: positions 1 and 2 are both taken before either settles. */
  @Workflow() async all(_ctx: DurableContext) {
    return Promise.all([this.flaky(), this.right(2)]);
  }
  @Workflow() async nested(ctx: DurableContext) {
    return ctx.parallel<unknown>('outer', [
      async (c) => c.parallel<unknown>('inner', [async () => this.flaky(), async () => this.right(1)]),
      async () => this.right(2),
    ]);
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

function flakyBody(): number {
  ran.push('flaky');
  if (failuresLeft > 0) {
    failuresLeft -= 1;
    throw new Error('down');
  }
  return 1;
}

@DurableService({ name: 'fan' })
class ParallelRenamed {
  @Workflow() async parallel(ctx: DurableContext) {
    return ctx.parallel<unknown>('spread', [
      async () => this.flaky(),
      async () => [await this.other(2), await this.right(3)],
    ]);
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async other(n: number) {
    ran.push('other');
    return n;
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

@DurableService({ name: 'fan' })
class ParallelShortened {
  /** Branch 2 ends after its first step now, while branch 1 waits to retry. */
  @Workflow() async parallel(ctx: DurableContext) {
    return ctx.parallel<unknown>('spread', [async () => this.flaky(), async () => this.right(2)]);
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

@DurableService({ name: 'fan' })
class MapRenamed {
  @Workflow() async map(ctx: DurableContext) {
    return ctx.map(
      'items',
      [1, 2, 3],
      async (n) => (n === 1 ? this.flaky() : n === 2 ? this.right(n) : this.other(n)),
      {
        maxConcurrency: 2,
      },
    );
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
  @Step() async other(n: number) {
    ran.push('other');
    return n;
  }
}

@DurableService({ name: 'fan' })
class MapAppended {
  /** Item 1 calls one more step after the one waiting to retry: a position the journal does not have yet. */
  @Workflow() async map(ctx: DurableContext) {
    return ctx.map(
      'items',
      [1, 2, 3],
      async (n) => (n === 1 ? [await this.flaky(), await this.right(10)] : this.right(n)),
      { maxConcurrency: 2 },
    );
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

@DurableService({ name: 'fan' })
class AllRenamed {
  @Workflow() async all(_ctx: DurableContext) {
    return Promise.all([this.flaky(), this.other(2)]);
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async other(n: number) {
    ran.push('other');
    return n;
  }
}

@DurableService({ name: 'fan' })
class AllInSequence {
  /** The same steps one after the other: position 2 comes after the step waiting to retry, as recorded. */
  @Workflow() async all(_ctx: DurableContext) {
    const first = await this.flaky();
    return [first, await this.right(2)];
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

@DurableService({ name: 'fan' })
class NestedRenamed {
  @Workflow() async nested(ctx: DurableContext) {
    return ctx.parallel<unknown>('outer', [
      async (c) => c.parallel<unknown>('inner', [async () => this.flaky(), async () => this.other(1)]),
      async () => this.right(2),
    ]);
  }
  @Step(retryInAnHour) async flaky() {
    return flakyBody();
  }
  @Step() async other(n: number) {
    ran.push('other');
    return n;
  }
  @Step() async right(n: number) {
    ran.push('right');
    return n;
  }
}

/**
 * Runs `workflow` of {@link Fan} once (its flaky step fails and waits an hour to retry), and exports the journal;
 * then what replayJournal makes of it on `changed`, and what the engine does resuming it on `changed` two hours
 * later: undefined when it goes on, or its error.
 */
async function replayAndResume(workflow: string, changed: ServiceClass) {
  const store = new MemoryStore();
  const clock = new ManualClock();
  const options = { store, now: clock.now, maxInProcessWaitMs: 0 };
  failuresLeft = 1;
  await createHandler(Fan, options)({ executionId: 'e-1', workflow, input: null });
  const record = (await store.getExecution({ service: 'fan', executionId: 'e-1' }))!;
  const recorded: ExecutionExport = exportExecution(record, await store.loadJournal(record));

  ran.length = 0;
  const verdict = await replayJournal(changed, recorded);
  const ranInReplay = [...ran];

  clock.advance(2 * HOUR_MS);
  const live = await createHandler(
    changed,
    options,
  )({ executionId: 'e-1' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  return { recorded, verdict, ranInReplay, live };
}

/** Where the engine found the code diverging, or undefined when it went on. */
function divergedAt(live: unknown): string | undefined {
  if (live === undefined) return undefined;
  expect(isDurableError(live, 'NON_DETERMINISM')).toBe(true);
  return (live as NonDeterminismError).position;
}

describe('replayJournal while a branch waits to retry: the same verdict as the engine resuming on the new code', () => {
  it.each([
    ['ctx.parallel, unchanged', 'parallel', Fan, undefined],
    ['ctx.parallel, a step renamed in the other branch', 'parallel', ParallelRenamed, '1.2.1'],
    ['ctx.parallel, the other branch ending before its recorded second step', 'parallel', ParallelShortened, '1.2.2'],
    ['ctx.map with maxConcurrency 2, unchanged', 'map', Fan, undefined],
    ['ctx.map with maxConcurrency 2, the step of item 3 renamed', 'map', MapRenamed, '1.3.1'],
    ['ctx.map with maxConcurrency 2, a step appended after the waiting one', 'map', MapAppended, undefined],
    ['Promise.all of steps, unchanged', 'all', Fan, undefined],
    ['Promise.all of steps, the second renamed', 'all', AllRenamed, '2'],
    [
      'Promise.all of steps made sequential: the recorded step after the waiting one comes later',
      'all',
      AllInSequence,
      undefined,
    ],
    ['a parallel nested in a branch, unchanged', 'nested', Fan, undefined],
    ['a parallel nested in a branch, a step renamed beside the waiting one', 'nested', NestedRenamed, '1.1.1.2.1'],
  ])('%s', async (_case, workflow, changed, position) => {
    const { recorded, verdict, ranInReplay, live } = await replayAndResume(workflow, changed);
    expect(recorded.journal.some((op) => op.name === 'flaky' && op.status === 'RETRYING')).toBe(true);

    expect(divergedAt(live)).toBe(position);
    if (position === undefined) expect(verdict).toMatchObject({ compatible: true });
    else expect(verdict).toMatchObject({ compatible: false, position });
    // Nothing of the waiting step or after it ran in the replay.
    expect(ranInReplay).toEqual([]);
  });
});
