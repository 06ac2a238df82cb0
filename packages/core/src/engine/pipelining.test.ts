import { describe, expect, it } from 'vitest';
import { createHandler, type DurableContext, DurableService, Step, Workflow } from '../index.js';
import { hashSerialized } from '../journal/hash.js';
import { serialize } from '../serde/serialize.js';
import { testStore } from '../testing/test-store.js';

const runs: string[] = [];

@DurableService({ name: 'pipelined' })
class Pipelined {
  @Workflow()
  async run(_ctx: DurableContext, input: { steps: number }): Promise<string[]> {
    const out: string[] = [];
    let previous = 'start';
    for (let i = 1; i <= input.steps; i++) {
      previous = await this.step(i, previous);
      out.push(previous);
    }
    return out;
  }

  @Step()
  async step(index: number, previous: string): Promise<string> {
    runs.push(`${index}`);
    return `${index}<${previous.length}`;
  }
}

describe('pipelined checkpoints', () => {
  it('records every step before the execution finishes, in one write each', async () => {
    const store = testStore();
    const handler = createHandler(Pipelined, { store, pipelineCheckpoints: true });
    const executionId = `p-${Math.random()}`;
    const result = await handler({ executionId, input: { steps: 40 } });
    expect(result.status).toBe('SUCCEEDED');
    const journal = await store.loadJournal({ service: 'pipelined', executionId });
    expect(journal.map((r) => r.position)).toEqual(Array.from({ length: 40 }, (_, i) => String(i + 1)));
    expect(journal.every((r) => r.status === 'SUCCEEDED')).toBe(true);
  });

  it('after a gap left by a dead invocation, replays the prefix and runs the rest again, overwriting stale records', async () => {
    const store = testStore();
    const key = { service: 'pipelined', executionId: `gap-${Math.random()}` };
    const input = { steps: 4 };
    const serializedInput = serialize(input, 'input');
    // What a dead invocation left: step 1 and step 3 landed, step 2's checkpoint never did.
    await store.claim({
      key,
      workflow: 'run',
      input: { serialized: serializedInput, hash: hashSerialized(serializedInput) },
      owner: 'dead',
      now: 0,
      leaseExpiresAt: 1,
    });
    const stepRecord = (position: number, previous: string, result: string) => ({
      position: String(position),
      kind: 'step' as const,
      name: 'step',
      argsHash: hashSerialized(serialize([position, previous], 'args', { canonical: true })),
      status: 'SUCCEEDED' as const,
      attempt: 1,
      result: serialize(result, 'result'),
      updatedAt: 0,
    });
    await store.writeOperation(key, stepRecord(1, 'start', '1<5'), null);
    // Step 3 ran with a result of step 2 that was never recorded (and may come out otherwise next time).
    await store.writeOperation(key, stepRecord(3, 'something else', 'stale'), null);

    runs.length = 0;
    const handler = createHandler(Pipelined, { store, pipelineCheckpoints: true });
    const result = await handler({ executionId: key.executionId, input });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: ['1<5', '2<3', '3<3', '4<3'] });
    expect(runs).toEqual(['2', '3', '4']); // step 1 replayed; 3 ran again instead of replaying a stale record
    const journal = await store.loadJournal(key);
    expect(journal.map((r) => [r.position, r.result])).toEqual([
      ['1', '"1<5"'],
      ['2', '"2<3"'],
      ['3', '"3<3"'],
      ['4', '"4<3"'],
    ]);
  });
});
