import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class ReminderService {
  @Workflow()
  async remind(_ctx: DurableContext): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 60_000)); // expect: timer-outside-sleep
    const poll = setInterval(() => undefined, 1_000); // expect: timer-outside-sleep
    clearInterval(poll);
    setImmediate(() => undefined); // expect: timer-outside-sleep
  }
}
