import { type DurableContext, DurableService, Workflow } from '@durable/core';

@DurableService()
export class LocalFunctionService {
  @Workflow()
  async run(ctx: DurableContext, input: { url: string; items: string[] }): Promise<number> {
    // Declared here, run by ctx.step: a step body, not workflow code.
    const load = async () => (await fetch(input.url)).status;
    const status = await ctx.step('load', load);
    // Declared and never called.
    const unused = () => Math.random();
    // Closes over ctx: its ctx.step callback is a step body.
    const measure = async (label: string) => ctx.step(label, () => performance.now());
    const measured = await measure('measure');
    // Called directly and passed along: workflow code.
    const stamp = () => Date.now(); // expect: nondeterministic-time via LocalFunctionService.run → stamp
    function roll(): number {
      return Math.random(); // expect: nondeterministic-random via LocalFunctionService.run → roll
    }
    const stamps = input.items.map(stamp);
    return status + measured + stamps.length + roll() + (unused === undefined ? 0 : 1);
  }
}
