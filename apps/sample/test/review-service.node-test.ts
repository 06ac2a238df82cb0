/**
 * The sample's review under `node:test` and `node:assert`: the same kit, no vitest. From the repository's root:
 * `TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=source --import tsx --test apps/sample/test/review-service.node-test.ts`
 * (`node-test.test.ts` runs it so in `npm test`, after `durable-gen generate` wrote the notifier's stub).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DurableTestRunner } from '@durable/core/testing';
import { NotifierService } from '../src/notifier-service.js';
import type { PullRequestEvent } from '../src/pull-request.js';
import { ReviewService } from '../src/review-service.js';
import { freshOutbox } from './sample-outbox.js';

const event = JSON.parse(
  readFileSync(new URL('../events/pull-request-opened.json', import.meta.url), 'utf8'),
) as PullRequestEvent;

describe('ReviewService.review under node:test', () => {
  let outbox: ReturnType<typeof freshOutbox>;
  beforeEach(() => {
    outbox = freshOutbox();
  });
  afterEach(() => outbox.remove());

  it('sleeps a day of cooldown in no time and notifies the team', async () => {
    const runner = new DurableTestRunner({ services: [ReviewService, NotifierService] });
    const started = runner.now();
    const done = await runner.run(ReviewService, 'review', { ...event, cooldownSeconds: 86_400 });

    assert.equal(done.status, 'SUCCEEDED');
    assert.equal(done.output?.notifiedIn, '#reviews-payments');
    assert.equal(done.output?.reviewedAt, new Date(started + 86_400_000).toISOString());
    assert.deepEqual(outbox.effects().sort(), [
      'analysis',
      'chat.message',
      'db.save',
      'github.comment',
      'github.review',
    ]);
  });

  it('repeats only the step in flight after a crash', async () => {
    const runner = new DurableTestRunner({ services: [ReviewService, NotifierService] });
    const crashed = await runner.run(ReviewService, 'review', event, { crash: { beforeCheckpoint: 'analyzeChanges' } });
    const done = await runner.resume(crashed.id);

    assert.equal(done.status, 'SUCCEEDED');
    assert.deepEqual(outbox.effects(), [
      'github.comment',
      'analysis',
      'analysis',
      'db.save',
      'github.review',
      'chat.message',
    ]);
  });
});
