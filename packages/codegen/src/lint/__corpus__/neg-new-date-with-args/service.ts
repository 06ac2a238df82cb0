import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class ParseService {
  @Workflow()
  async parse(_ctx: DurableContext, input: { at: string; epochMs: number }): Promise<number[]> {
    const given = new Date(input.at);
    const fromNumber = new Date(input.epochMs);
    const fixed = new Date(2024, 0, 1, 12, 0, 0);
    const utc = new Date(Date.UTC(2024, 0, 1));
    const parsed = Date.parse(input.at);
    return [given.getTime(), fromNumber.getTime(), fixed.getTime(), utc.getTime(), parsed];
  }
}
