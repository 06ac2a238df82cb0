import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { backOff } from './backoff.js';

/** On the default backend the same pause is fine: the engine waits milliseconds. */
@DurableService({ name: 'table-service' })
export class TableService {
  @Workflow()
  async run(ctx: DurableContext): Promise<void> {
    await backOff(ctx);
  }
}

@DurableService({ name: 'native-service', backend: 'lambda-durable' })
export class NativeService {
  @Workflow()
  async run(ctx: DurableContext): Promise<void> {
    await backOff(ctx);
  }
}
