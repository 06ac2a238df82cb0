import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

/** Where a notification goes. */
export type Channel = 'email' | 'slack';

const WEBHOOKS: Record<Channel, string> = {
  email: 'https://hooks.example.com/email',
  slack: 'https://hooks.example.com/slack',
};

/** Tells the author of a pull request that its review is done. */
@DurableService({ name: 'notifier' })
export class NotifierService {
  @Workflow()
  async notify(
    ctx: DurableContext,
    input: { pr: number; findings: number },
  ): Promise<{ notified: boolean; channel: string }> {
    const channel = await this.pickChannel(input.findings);
    ctx.logger.info('notifying', { pr: input.pr, channel });
    const notified = await this.send(channel, `PR #${input.pr}: ${input.findings} finding(s)`);
    return { notified, channel };
  }

  @Step()
  async pickChannel(findings: number): Promise<Channel> {
    return findings > 0 ? 'slack' : 'email';
  }

  @Step({ retry: { maxAttempts: 4, initialDelayMs: 100, backoffRate: 2, jitter: 'full' } })
  async send(channel: Channel, text: string): Promise<boolean> {
    const response = await fetch(WEBHOOKS[channel], { method: 'POST', body: JSON.stringify({ text }) });
    return response.ok;
  }
}
