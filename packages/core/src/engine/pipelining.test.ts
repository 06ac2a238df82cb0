import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  isDurableError,
  Step,
  Workflow,
} from '../index.js';
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

@DurableService({ name: 'pipelined-then-once' })
class PipelinedThenOnce {
  @Workflow()
  async run(_ctx: DurableContext): Promise<string> {
    await this.quick(1);
    await this.quick(2);
    return this.charge();
  }

  @Step()
  async quick(index: number): Promise<number> {
    runs.push(`run ${index}`);
    return index;
  }

  @Step({ semantics: 'at-most-once' })
  async charge(): Promise<string> {
    runs.push('run charge');
    return 'charged';
  }
}

/** The store, with each checkpoint write held back a few ms and its landing logged in `runs`. */
function slowWrites(store: CheckpointStore): CheckpointStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'writeOperation') {
        return async (...args: Parameters<CheckpointStore['writeOperation']>) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const outcome = await target.writeOperation(...args);
          runs.push(`landed ${args[1].position}${args[1].status === 'STARTED' ? ' started' : ''}`);
          return outcome;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('pipelined checkpoints (opt-in)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['the option', { pipelineCheckpoints: true }, undefined],
    ['DURABLE_PIPELINE_CHECKPOINTS=true', {}, 'true'],
  ])(
    'with %s, starts the next at-least-once step while the last checkpoint is being written; an at-most-once step waits',
    async (_how, options, environment) => {
      if (environment !== undefined) vi.stubEnv('DURABLE_PIPELINE_CHECKPOINTS', environment);
      runs.length = 0;
      const handler = createHandler(PipelinedThenOnce, { store: slowWrites(testStore()), ...options });
      const result = await handler({ executionId: `d-${Math.random()}`, input: {} });
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'charged' });
      // Only the order the engine decides is asserted: the two pipelined writes may land in either order.
      const at = (entry: string) => {
        const index = runs.indexOf(entry);
        expect(index, `${entry} in ${runs.join(', ')}`).toBeGreaterThanOrEqual(0);
        return index;
      };
      expect(at('run 2')).toBeLessThan(at('landed 1')); // step 2 ran before step 1's checkpoint landed
      expect(Math.max(at('landed 1'), at('landed 2'))).toBeLessThan(at('landed 3 started'));
      expect(at('landed 3 started')).toBeLessThan(at('run charge'));
      expect(at('run charge')).toBeLessThan(at('landed 3'));
      expect(runs).toHaveLength(7);
    },
  );

  it.each([
    ['the default', {}, undefined],
    ['DURABLE_PIPELINE_CHECKPOINTS=false', {}, 'false'],
    ['the option', { pipelineCheckpoints: false }, 'true'],
  ])('with %s, each step waits for its own checkpoint', async (_how, options, environment) => {
    if (environment !== undefined) vi.stubEnv('DURABLE_PIPELINE_CHECKPOINTS', environment);
    runs.length = 0;
    const handler = createHandler(PipelinedThenOnce, { store: slowWrites(testStore()), ...options });
    await handler({ executionId: `s-${Math.random()}`, input: {} });
    expect(runs).toEqual(['run 1', 'landed 1', 'run 2', 'landed 2', 'landed 3 started', 'run charge', 'landed 3']);
  });

  it('refuses a DURABLE_PIPELINE_CHECKPOINTS that is neither true nor false, naming the values it takes', () => {
    vi.stubEnv('DURABLE_PIPELINE_CHECKPOINTS', 'off');
    let thrown: unknown;
    try {
      createHandler(PipelinedThenOnce, { store: testStore() });
    } catch (error) {
      thrown = error;
    }
    expect(isDurableError(thrown) && thrown.code).toBe('CONFIGURATION');
    expect((thrown as Error).message).toMatch(/DURABLE_PIPELINE_CHECKPOINTS is 'off'.*'false'.*'true'/);
  });
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
      timeoutAt: Number.MAX_SAFE_INTEGER,
      expiresAt: Date.now() + 86_400_000,
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
      epoch: 1,
      ...(position === 1 ? {} : { follows: { position: String(position - 1), epoch: 1 } }),
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
