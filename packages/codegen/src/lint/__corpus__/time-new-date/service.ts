import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class CalendarService {
  @Workflow()
  async today(_ctx: DurableContext): Promise<string[]> {
    const now = new Date(); // expect: nondeterministic-time
    // biome-ignore format: `new Date` without parentheses is what this line checks
    const alsoNow = new Date; // expect: nondeterministic-time
    return [now.toISOString(), alsoNow.toISOString(), new Date().toDateString()]; // expect: nondeterministic-time
  }
}
