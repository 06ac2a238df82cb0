import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class StampService {
  @Workflow()
  async stamp(_ctx: DurableContext, input: { at: string }): Promise<string[]> {
    const plain = Date(); // expect: nondeterministic-time
    // Date(x) ignores its argument and returns the current time as well.
    const withArgument = Date(input.at); // expect: nondeterministic-time
    return [plain, withArgument];
  }
}
