import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import { NotifierServiceClient } from '../generated/clients/notifier.js';

export interface PullRequest {
  id: number;
  files: string[];
}

export interface Finding {
  file: string;
  message: string;
}

/** Reviews a pull request: comments, analyzes, records, then tells the author. */
@DurableService({ name: 'reviews' })
export class ReviewService {
  @Workflow()
  async review(
    ctx: DurableContext,
    pr: { id: number; files: string[] },
  ): Promise<{ commentId: string; threadId: string; findings: number }> {
    const commentId = await this.comment(pr, 'Reviewing…');
    const findings = await this.analyze(pr);
    await this.saveFindings(pr.id, findings);
    await ctx.sleep('review-cooldown', { seconds: 30 });
    const threadId = await this.createThread(pr, findings);
    await this.labelBySize(pr, findings.length);
    const n = findings.length;
    await NotifierServiceClient.notify(ctx, { pr: pr.id, findings: n });
    return { commentId, threadId, findings: n };
  }

  @Step()
  async comment(pr: PullRequest, text: string): Promise<string> {
    return `comment-${pr.id}-${text.length}`;
  }

  @Step({ retry: { maxAttempts: 5, initialDelayMs: 200, backoffRate: 2, maxDelayMs: 5_000, jitter: 'equal' } })
  async analyze(pr: PullRequest): Promise<Finding[]> {
    return pr.files.filter((file) => file.endsWith('.js')).map((file) => ({ file, message: 'prefer TypeScript' }));
  }

  @Step({ name: 'save-findings', timeoutMs: 10_000 })
  async saveFindings(prId: number, findings: Finding[]): Promise<string> {
    return `findings/${prId}/${findings.length}.json`;
  }

  @Step({ semantics: 'at-most-once' })
  async createThread(pr: PullRequest, findings: Finding[]): Promise<string> {
    return `thread-${pr.id}-${findings.length}`;
  }

  @Step()
  async addLabel(prId: number, label: string): Promise<string> {
    return `${prId}:${label}`;
  }

  /** Not a step: its own code runs on every replay, the step it calls is checkpointed. */
  private async labelBySize(pr: PullRequest, findings: number): Promise<void> {
    const label = findings === 0 ? 'clean' : pr.files.length > 10 ? 'large' : 'needs-work';
    await this.addLabel(pr.id, label);
  }
}
