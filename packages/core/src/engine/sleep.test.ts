import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { durationToMs } from '../context/duration.js';
import {
  ConfigurationError,
  createHandler,
  type DurableContext,
  DurableService,
  type Duration,
  type OperationEvent,
  Step,
  Workflow,
} from '../index.js';
import { ManualClock } from '../testing/clock.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

const fiveSecondsLeft = { getRemainingTimeInMillis: () => 5_000 };
const HOUR_MS = 3_600_000;

const ran: string[] = [];

@DurableService({ name: 'reminders' })
class Reminders {
  @Workflow()
  async remind(ctx: DurableContext, input: { to: string; wait: Duration }) {
    const draft = await this.draft(input.to);
    await ctx.sleep('until-due', input.wait);
    const sent = await this.send(draft);
    return { sent };
  }

  @Workflow()
  async badSleep(ctx: DurableContext, input: { wait: Duration }) {
    try {
      await ctx.sleep('bad', input.wait);
      return 'slept';
    } catch (error) {
      return {
        isConfigurationError: error instanceof ConfigurationError,
        code: (error as ConfigurationError).code,
        message: (error as Error).message,
      };
    }
  }

  @Step()
  async draft(to: string): Promise<string> {
    ran.push(`draft ${to}`);
    return `Dear ${to}`;
  }

  @Step()
  async send(text: string): Promise<string> {
    ran.push(`send ${text}`);
    return `sent: ${text}`;
  }
}

function recorder(): { events: OperationEvent[]; observer: { onOperation(event: OperationEvent): void } } {
  const events: OperationEvent[] = [];
  return { events, observer: { onOperation: (event) => events.push(event) } };
}

describe('ctx.sleep', () => {
  it('waits a short sleep in-process and finishes in one invocation', async () => {
    ran.length = 0;
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Reminders, { store, now: clock.now });

    const result = await handler(
      { executionId: `short${RUN}`, workflow: 'remind', input: { to: 'ann', wait: { ms: 3 } } },
      fiveSecondsLeft,
    );

    expect(result).toEqual({ status: 'SUCCEEDED', executionId: `short${RUN}`, output: { sent: 'sent: Dear ann' } });
    expect(ran).toEqual(['draft ann', 'send Dear ann']);
    const journal = await store.loadJournal({ service: 'reminders', executionId: `short${RUN}` });
    expect(journal.map((r) => `${r.position}:${r.kind}:${r.name}`)).toEqual([
      '1:step:draft',
      '2:sleep:until-due',
      '3:step:send',
    ]);
    expect(journal[1]!.wakeAt).toBe(clock.now() + 3);
  });

  it('suspends a long sleep, stays suspended when woken early, and finishes after wakeAt', async () => {
    ran.length = 0;
    const store = testStore();
    const clock = new ManualClock();
    const startedAt = clock.now();
    const key = { service: 'reminders', executionId: `long${RUN}` };
    const { events, observer } = recorder();
    const handler = createHandler(Reminders, { store, now: clock.now, observer });
    const event = { executionId: `long${RUN}`, workflow: 'remind', input: { to: 'bo', wait: { hours: 1 } } };

    const first = await handler(event, fiveSecondsLeft);
    expect(first).toEqual({ status: 'SUSPENDED', executionId: `long${RUN}`, resumeAt: startedAt + HOUR_MS });
    expect(ran).toEqual(['draft bo']);
    expect(await store.getExecution(key)).toMatchObject({ status: 'SUSPENDED', resumeAt: startedAt + HOUR_MS });
    const journal = await store.loadJournal(key);
    expect(journal).toHaveLength(2);
    expect(journal[1]).toMatchObject({ position: '2', kind: 'sleep', name: 'until-due', wakeAt: startedAt + HOUR_MS });
    expect(events.at(-1)).toMatchObject({ position: '2', kind: 'sleep', outcome: 'waiting' });

    clock.advance(HOUR_MS / 2);
    const early = await handler({ executionId: `long${RUN}` }, fiveSecondsLeft);
    expect(early).toEqual({ status: 'SUSPENDED', executionId: `long${RUN}`, resumeAt: startedAt + HOUR_MS });
    expect(ran).toEqual(['draft bo']);
    expect(await store.loadJournal(key)).toEqual(journal);

    clock.advance(HOUR_MS / 2);
    const resumed = await handler(event, fiveSecondsLeft);
    expect(resumed).toEqual({ status: 'SUCCEEDED', executionId: `long${RUN}`, output: { sent: 'sent: Dear bo' } });
    expect(ran).toEqual(['draft bo', 'send Dear bo']);
    const final = await store.loadJournal(key);
    expect(final.map((r) => `${r.position}:${r.kind}:${r.name}`)).toEqual([
      '1:step:draft',
      '2:sleep:until-due',
      '3:step:send',
    ]);
    expect(final[1]!.wakeAt).toBe(startedAt + HOUR_MS);
    expect(await store.getExecution(key)).toMatchObject({ status: 'SUCCEEDED', invocations: 3 });
  });

  it('suspends a sleep longer than maxInProcessWaitMs even without a time limit', async () => {
    ran.length = 0;
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Reminders, { store, now: clock.now, maxInProcessWaitMs: 1_000 });

    const result = await handler({
      executionId: `capped${RUN}`,
      workflow: 'remind',
      input: { to: 'cy', wait: { seconds: 2 } },
    });

    expect(result).toEqual({ status: 'SUSPENDED', executionId: `capped${RUN}`, resumeAt: clock.now() + 2_000 });
    clock.advance(2_000);
    expect(await handler({ executionId: `capped${RUN}` })).toMatchObject({ status: 'SUCCEEDED' });
    expect(ran).toEqual(['draft cy', 'send Dear cy']);
  });

  it('adds up days, hours, minutes, seconds and ms', async () => {
    const store = testStore();
    const clock = new ManualClock();
    const handler = createHandler(Reminders, { store, now: clock.now });
    const wait = { days: 1, hours: 2, minutes: 3, seconds: 4, ms: 5 };
    const expectedMs = 86_400_000 + 2 * HOUR_MS + 3 * 60_000 + 4_000 + 5;

    const result = await handler(
      { executionId: `units${RUN}`, workflow: 'remind', input: { to: 'di', wait } },
      fiveSecondsLeft,
    );

    expect(result).toEqual({ status: 'SUSPENDED', executionId: `units${RUN}`, resumeAt: clock.now() + expectedMs });
    expect(durationToMs(wait, 'test')).toBe(expectedMs);
    expect(durationToMs({ minutes: 1, seconds: 30 }, 'test')).toBe(90_000);
    expect(durationToMs({}, 'test')).toBe(0);
  });

  it.each([
    ['a negative part', { seconds: -1 }, /seconds must be a finite number >= 0/],
    ['an unknown unit', { weeks: 1 }, /unknown duration unit 'weeks'/],
    ['a non-finite part', { ms: Number.POSITIVE_INFINITY }, /ms must be a finite number >= 0/],
  ])('rejects %s with ConfigurationError', async (label, wait, message) => {
    const executionId = `bad ${label}${RUN}`;
    const duration = wait as Duration;
    expect(() => durationToMs(duration, 'test')).toThrow(ConfigurationError);

    const store = testStore();
    const handler = createHandler(Reminders, { store });
    const result = await handler({ executionId, workflow: 'badSleep', input: { wait: duration } });
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { isConfigurationError: true, code: 'CONFIGURATION', message: expect.stringMatching(message) },
    });
    // Nothing was recorded for the refused sleep.
    expect(await store.loadJournal({ service: 'reminders', executionId })).toEqual([]);
  });
});
