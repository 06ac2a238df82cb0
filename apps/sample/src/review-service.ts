import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import { NotifierServiceClient } from '../generated/clients/notifier.js';
import { analyze } from './analyzer.js';
import { recordSideEffect } from './outbox.js';
import type { Finding, PullRequest, PullRequestEvent } from './pull-request.js';

export interface ReviewResult {
  pullRequest: number;
  findings: number;
  threadUrl: string;
  notifiedIn: string;
  reviewedAt: string;
}

/**
 * The automated pull-request reviewer, triggered by a webhook event. Each
 * step's side effect is recorded once; when the function dies and Lambda
 * retries, finished steps are replayed from the journal, not run again.
 */
@DurableService({ name: 'reviews' })
export class ReviewService {
  @Workflow()
  async review(ctx: DurableContext, event: PullRequestEvent): Promise<ReviewResult> {
    const pr = event.pullRequest;
    await this.commentStarted(pr);
    const findings = await this.analyzeChanges(pr);
    await this.saveFindings(pr, findings);
    await ctx.sleep('cooldown', { seconds: event.cooldownSeconds });
    const threadUrl = await this.createReviewThread(pr, findings);
    const notified = await NotifierServiceClient.notify(ctx, {
      repository: pr.repository,
      pullRequest: pr.number,
      findings: findings.length,
      threadUrl,
    });
    const reviewedAt = new Date(await ctx.now()).toISOString();
    return { pullRequest: pr.number, findings: findings.length, threadUrl, notifiedIn: notified.channel, reviewedAt };
  }

  /** 1. Tell the author the review started. */
  @Step()
  async commentStarted(pr: PullRequest): Promise<string> {
    const commentId = `comment-${pr.number}-started`;
    recordSideEffect('github.comment', { pullRequest: pr.number, commentId, body: 'Review started.' });
    return commentId;
  }

  /** 2. Analyse the changed files (retried: analysers time out). */
  @Step({ retry: { maxAttempts: 4, initialDelayMs: 200, backoffRate: 2, jitter: 'full' } })
  async analyzeChanges(pr: PullRequest): Promise<Finding[]> {
    const findings = analyze(pr.files);
    recordSideEffect('analysis', { pullRequest: pr.number, findings: findings.length });
    return findings;
  }

  /** 3. Keep the findings (the database write takes a moment). */
  @Step()
  async saveFindings(pr: PullRequest, findings: Finding[]): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.SAMPLE_SAVE_LATENCY_MS ?? 50)));
    recordSideEffect('db.save', { pullRequest: pr.number, findings: findings.length });
    return findings.length;
  }

  /** 5. Open the review thread: at most once, a duplicate thread would spam the author. */
  @Step({ semantics: 'at-most-once' })
  async createReviewThread(pr: PullRequest, findings: Finding[]): Promise<string> {
    const threadUrl = `https://github.example/${pr.repository}/pull/${pr.number}#review-1`;
    recordSideEffect('github.review', { pullRequest: pr.number, threadUrl, comments: findings.length });
    return threadUrl;
  }
}
