import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { pickShard, tag } from './lib/index.js';

@DurableService()
export class ShardService {
  @Workflow()
  async assign(_ctx: DurableContext, input: { key: string }): Promise<string> {
    return `${tag(input.key)}:${pickShard()}`;
  }
}
