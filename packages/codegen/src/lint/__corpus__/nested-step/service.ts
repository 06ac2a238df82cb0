import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

@DurableService()
export class InvoiceService {
  @Workflow()
  async bill(ctx: DurableContext, input: { id: string }): Promise<string> {
    const inline = await ctx.step('inline', () => this.save(input.id)); // expect: nested-step
    return inline + (await this.charge(input.id));
  }

  @Step()
  async charge(id: string): Promise<string> {
    const saved = await this.save(id); // expect: nested-step
    return this.format(saved);
  }

  @Step()
  async save(id: string): Promise<string> {
    return `saved-${id}`;
  }

  /** A plain method: calling it from a step is fine. */
  private format(value: string): string {
    return value.toUpperCase();
  }
}
