import { type DurableContext, DurableService, Workflow } from '@durable/core';

/**
 * Never call Date.now() or Math.random() here: use ctx.now() and ctx.random().
 * @example fetch('https://example.com')
 */
@DurableService()
export class DocsService {
  @Workflow()
  async run(ctx: DurableContext): Promise<string[]> {
    // Date.now(), new Date(), setTimeout(() => {}, 1) and fetch(url) are not allowed here.
    /* Math.random() */
    const advice = 'use ctx.now() instead of Date.now()';
    const template = `crypto.randomUUID() and performance.now() are flagged`;
    const pattern = /Date\.now\(\)/;
    ctx.logger.info('Math.random() is not replay-safe');
    return [advice, template, pattern.source, 'process.hrtime()'];
  }
}
