import * as timers from 'node:timers/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { type DurableContext, DurableService, Workflow } from '@durable/core';
import { setImmediate } from 'timers/promises';

@DurableService()
export class BackoffService {
  @Workflow()
  async wait(_ctx: DurableContext): Promise<void> {
    await delay(5_000); // expect: timer-outside-sleep
    await setImmediate(); // expect: timer-outside-sleep
    await timers.setTimeout(100); // expect: timer-outside-sleep
  }
}
