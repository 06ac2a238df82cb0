import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class AuditService {
  @Workflow()
  async audit(ctx: DurableContext): Promise<number> {
    const logged = Date.now(); // durable-ignore nondeterministic-time only written to a debug log, never decides anything
    ctx.logger.info('audit started', { logged });
    // durable-ignore nondeterministic-random sampling of debug logs, the workflow does not branch on it
    const sample = Math.random();
    if (sample < 0.01) ctx.logger.info('sampled');
    const id = crypto.randomUUID(); // durable-ignore nondeterministic-random: a log correlation id, never recorded
    ctx.logger.info('id', { id });
    return 1;
  }
}
