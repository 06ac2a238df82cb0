import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';
import { recordSideEffect } from './outbox.js';

export interface Notification {
  repository: string;
  pullRequest: number;
  findings: number;
  threadUrl: string;
}

/** Tells the team: a second durable service, called by the reviewer through its generated stub. */
@DurableService({ name: 'notifier' })
export class NotifierService {
  @Workflow()
  async notify(ctx: DurableContext, notification: Notification): Promise<{ channel: string; messageId: string }> {
    const channel = await this.pickChannel(notification.repository);
    const messageId = await this.post(channel, notification);
    ctx.logger.info('team notified', { channel, messageId });
    return { channel, messageId };
  }

  @Step()
  async pickChannel(repository: string): Promise<string> {
    return `#reviews-${repository.split('/').pop()}`;
  }

  @Step({ retry: { maxAttempts: 3, initialDelayMs: 100 } })
  async post(channel: string, notification: Notification): Promise<string> {
    const messageId = `msg-${notification.repository.replace('/', '-')}-${notification.pullRequest}`;
    recordSideEffect('chat.message', { channel, messageId, findings: notification.findings });
    return messageId;
  }
}
