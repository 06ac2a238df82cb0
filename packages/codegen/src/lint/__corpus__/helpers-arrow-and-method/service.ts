import { type DurableContext, DurableService, Workflow } from '@durable/core';

const today = () => new Date().toISOString().slice(0, 10); // expect: nondeterministic-time via ReportService.run → label → today

const clock = {
  now: () => 0,
};

@DurableService()
export class ReportService {
  @Workflow()
  async run(_ctx: DurableContext, input: { name: string }): Promise<string> {
    return `${this.label(input.name)}-${this.stamp()}-${clock.now()}-${this.#pick()}`;
  }

  private label(name: string): string {
    return `${name}-${today()}`;
  }

  #pick(): number {
    return Math.random(); // expect: nondeterministic-random via ReportService.run → #pick
  }

  private stamp = (): number => Date.now(); // expect: nondeterministic-time via ReportService.run → stamp
}
