import { describe, expect, it } from 'vitest';
import { testStore } from '../testing/test-store.js';
import {
  createHandler,
  type DurableContext,
  DurableService,
  MemoryStore,
  NonDeterminismError,
  Step,
  Workflow,
} from '../index.js';

const calls: string[] = [];

@DurableService()
class Greeter {
  @Workflow()
  async greet(ctx: DurableContext, input: { name: string }) {
    const a = await this.hello(input.name);
    const t = await ctx.now();
    await ctx.sleep('pause', { ms: 5 });
    const r = await ctx.parallel('both', [async () => this.hello('x'), async () => this.hello('y')]);
    return { a, t: typeof t, r };
  }

  @Step()
  async hello(name: string) {
    calls.push(name);
    return `hello ${name}`;
  }
}

describe('smoke', () => {
  it('runs and replays', async () => {
    const id = `e1-${Math.random()}`;
    const store = testStore();
    const handler = createHandler(Greeter, { store });
    const r1 = await handler({ executionId: id, input: { name: 'bob' } });
    expect(r1).toEqual({
      status: 'SUCCEEDED',
      executionId: id,
      output: { a: 'hello bob', t: 'number', r: ['hello x', 'hello y'] },
    });
    const r2 = await handler({ executionId: id, input: { name: 'bob' } });
    expect(r2).toEqual(r1);
    expect(calls).toEqual(['bob', 'x', 'y']);
    const journal = await store.loadJournal({ service: 'greeter', executionId: id });
    expect(journal.map((r) => `${r.position}:${r.kind}:${r.name}`)).toEqual([
      '1:step:hello',
      '2:now:now',
      '3:sleep:pause',
      '4:parallel:both',
      '4.1.1:step:hello',
      '4.2.1:step:hello',
    ]);
    void NonDeterminismError;
  });
});
