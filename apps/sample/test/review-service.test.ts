import { readFileSync } from 'node:fs';
import { StepInterruptedError } from '@durable/core';
import { DurableTestRunner } from '@durable/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifierService } from '../src/notifier-service.js';
import type { PullRequestEvent } from '../src/pull-request.js';
import { ReviewService } from '../src/review-service.js';
import { freshOutbox } from './sample-outbox.js';

const event = JSON.parse(
  readFileSync(new URL('../events/pull-request-opened.json', import.meta.url), 'utf8'),
) as PullRequestEvent;
const START = Date.UTC(2026, 11, 1, 9, 0, 0);

let outbox: ReturnType<typeof freshOutbox>;
beforeEach(() => {
  outbox = freshOutbox();
});
afterEach(() => outbox.remove());

function runner() {
  return new DurableTestRunner({ services: [ReviewService, NotifierService], startAt: START });
}

describe('ReviewService.review', () => {
  it('reviews the pull request, notifies the team through the notifier service, each side effect once', async () => {
    const done = await runner().run(ReviewService, 'review', { ...event, cooldownSeconds: 3_600 });

    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({
      pullRequest: 42,
      findings: 4,
      threadUrl: 'https://github.example/acme/payments/pull/42#review-1',
      notifiedIn: '#reviews-payments',
      // The hour of cooldown passed on the runner's clock, not the test's.
      reviewedAt: new Date(START + 3_600_000).toISOString(),
    });
    expect(done.journal.map((entry) => `${entry.position} ${entry.kind} ${entry.name}`)).toEqual([
      '1 step commentStarted',
      '2 step analyzeChanges',
      '3 step saveFindings',
      '4 sleep cooldown',
      '5 step createReviewThread',
      '6 invoke notifier.notify',
      '7 now now',
    ]);
    expect(done.child('notifier')?.step('post')?.args).toEqual([
      '#reviews-payments',
      {
        repository: 'acme/payments',
        pullRequest: 42,
        findings: 4,
        threadUrl: 'https://github.example/acme/payments/pull/42#review-1',
      },
    ]);
    expect(outbox.effects().sort()).toEqual(['analysis', 'chat.message', 'db.save', 'github.comment', 'github.review']);
  });

  it('after a crash with the findings saved but not checkpointed, saves them again and repeats nothing else', async () => {
    const test = runner();
    const crashed = await test.run(ReviewService, 'review', event, { crash: { beforeCheckpoint: 'saveFindings' } });
    expect(crashed.status).toBe('RUNNING');
    expect(outbox.effects()).toEqual(['github.comment', 'analysis', 'db.save']);

    const done = await test.resume(crashed.id);

    expect(done.status).toBe('SUCCEEDED');
    // At least once: the step in flight when the process died runs again, the finished ones are replayed.
    expect(outbox.effects()).toEqual([
      'github.comment',
      'analysis',
      'db.save',
      'db.save',
      'github.review',
      'chat.message',
    ]);
    expect(done.step('saveFindings')?.epoch).toBe(2);
    expect(done.step('analyzeChanges')?.epoch).toBe(1);
  });

  it('never opens the review thread twice: a crash inside createReviewThread fails the review instead', async () => {
    const test = runner();
    const crashed = await test.run(ReviewService, 'review', event, {
      crash: { beforeCheckpoint: 'createReviewThread' },
    });
    expect(outbox.effects().filter((effect) => effect === 'github.review')).toHaveLength(1);

    const resumed = await test.resume(crashed.id);

    // A retry cannot tell whether the thread was opened: at most once means it does not try again.
    expect(resumed.status).toBe('FAILED');
    expect(resumed.error).toBeInstanceOf(StepInterruptedError);
    expect((resumed.error as StepInterruptedError).stepName).toBe('createReviewThread');
    expect(outbox.effects().filter((effect) => effect === 'github.review')).toHaveLength(1);
    expect(outbox.effects()).not.toContain('chat.message');
  });

  it('replays its own journal against the code as it is', async () => {
    const test = runner();
    const done = await test.run(ReviewService, 'review', event);
    const effects = outbox.effects();

    const verdict = await test.replay(ReviewService, JSON.stringify(done.export()));

    expect(verdict.compatible).toBe(true);
    expect(outbox.effects()).toEqual(effects);
  });
});
