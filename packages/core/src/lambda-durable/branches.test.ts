import { LocalDurableTestRunner, type TestResult } from '@aws/durable-execution-sdk-js-testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../lambda-durable.js';
import {
  ContextMisuseError,
  createHandler,
  type DurableContext,
  DurableService,
  deserialize,
  NonRetryableError,
  type ServiceClass,
  Step,
  Workflow,
} from '../index.js';

/**
 * `ctx.parallel` and `ctx.map` on lambda-durable, as the SDK's parallel and map, under its LocalDurableTestRunner
 * with real timers. Mirrors the dynamodb engine's parallel suite: positions per branch whatever order branches
 * finish in, results in item order, the first failure by index after every branch settled.
 */

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const ran: string[] = [];
beforeEach(() => {
  ran.length = 0;
});

async function run(service: ServiceClass, input?: unknown): Promise<TestResult> {
  const runner = new LocalDurableTestRunner({ handlerFunction: createHandler(service, { backend: 'lambda-durable' }) });
  return runner.run({ payload: { input } });
}

function outputOf(result: TestResult): unknown {
  return deserialize(JSON.stringify(result.getResult()));
}

/** Makes branches finish in an order of the test's choosing: a branch waits until another one is done. */
class FinishOrder {
  readonly #done = new Map<string, () => void>();
  readonly #finished = new Map<string, Promise<void>>();

  #entry(key: string): Promise<void> {
    let finished = this.#finished.get(key);
    if (finished === undefined) {
      finished = new Promise((resolve) => this.#done.set(key, resolve));
      this.#finished.set(key, finished);
    }
    return finished;
  }

  /** Resolves once `key` is done. */
  after(key: string): Promise<void> {
    return this.#entry(key);
  }

  done(key: string): void {
    this.#entry(key);
    this.#done.get(key)!();
  }
}

let order = new FinishOrder();
beforeEach(() => {
  order = new FinishOrder();
});

@DurableService({ name: 'shipping' })
class Shipping {
  @Workflow() async ship(ctx: DurableContext, parcels: string[]) {
    // Each label waits for the next parcel's: they finish last to first.
    const labels = await ctx.map('labels', parcels, async (parcel, index) => this.label(parcel, parcels[index + 1]));
    const [quote, slot] = await ctx.parallel<unknown>('book', [
      async () => this.quote(labels.length),
      async (branch) => {
        const at = await branch.now();
        return { slot: await this.reserve(at) };
      },
    ]);
    return { labels, quote, slot };
  }
  @Step() async label(parcel: string, next: string | undefined) {
    if (next !== undefined) await order.after(next);
    ran.push(`label ${parcel}`);
    order.done(parcel);
    return { parcel, printedAt: new Date(0) };
  }
  @Step() async quote(count: number) {
    ran.push('quote');
    return 10n * BigInt(count);
  }
  @Step() async reserve(at: number) {
    ran.push('reserve');
    return at > 0;
  }
}

describe('ctx.map and ctx.parallel on lambda-durable', () => {
  it('runs branches in SDK child contexts and returns results in item order, values intact', async () => {
    const result = await run(Shipping, ['p1', 'p2', 'p3']);
    expect(result.getStatus()).toBe('SUCCEEDED');
    expect(outputOf(result)).toEqual({
      labels: ['p1', 'p2', 'p3'].map((parcel) => ({ parcel, printedAt: new Date(0) })),
      quote: 30n,
      slot: { slot: true },
    });
    // The later items finished first: each result is still its item's.
    expect(ran.slice(0, 3)).toEqual(['label p3', 'label p2', 'label p1']);
    const map = result.getOperations().find((op) => op.getName() === 'labels');
    expect(map?.getSubType()).toBe('Map');
    const items = map?.getChildOperations() ?? [];
    expect(items.map((item) => item.getChildOperations()?.[0]?.getStepDetails()?.result)).toEqual(
      ['p1', 'p2', 'p3'].map((parcel) => expect.objectContaining({ value: expect.objectContaining({ parcel }) })),
    );
    const parallel = result.getOperations().find((op) => op.getName() === 'book');
    expect(parallel?.getSubType()).toBe('Parallel');
  });

  it('throws the first failure by branch index, after every branch settled', async () => {
    @DurableService({ name: 'checks' })
    class Checks {
      @Workflow() async check(ctx: DurableContext) {
        try {
          await ctx.map('probes', [0, 1, 2, 3], async (item) => this.probe(item));
          return 'all passed';
        } catch (error) {
          return { failed: error };
        }
      }
      @Step() async probe(item: number) {
        // Branch 3 fails first, branch 1 after it: the error is branch 1's.
        if (item === 1) await order.after('probe 3');
        ran.push(`probe ${item}`);
        order.done(`probe ${item}`);
        if (item === 1 || item === 3) throw Object.assign(new NonRetryableError(`probe ${item} failed`), { item });
        return item;
      }
    }
    const result = await run(Checks);
    const { failed } = outputOf(result) as { failed: NonRetryableError & { item: number } };
    expect(failed).toBeInstanceOf(NonRetryableError);
    expect(failed).toMatchObject({ message: 'probe 1 failed', item: 1 });
    expect([...ran].sort()).toEqual(['probe 0', 'probe 1', 'probe 2', 'probe 3']);
  });

  it('refuses ctx calls inside a step body with ContextMisuseError, as on the dynamodb engine', async () => {
    @DurableService({ name: 'nesting' })
    class Nesting {
      @Workflow() async nest(ctx: DurableContext) {
        try {
          await ctx.step('outer', async () => ctx.now());
          return 'recorded';
        } catch (error) {
          return { refused: error };
        }
      }
    }
    const { refused } = outputOf(await run(Nesting)) as { refused: ContextMisuseError };
    expect(refused).toBeInstanceOf(ContextMisuseError);
    expect(refused.message).toContain("ctx.now() was called inside the body of step 'outer'");
  });
});
