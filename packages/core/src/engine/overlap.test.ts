import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  createHandler,
  type DurableContext,
  DurableService,
  ExecutionBusyError,
  Step,
  Workflow,
} from '../index.js';
import { testStore } from '../testing/test-store.js';

/** Makes this run's execution ids unique, so they never meet earlier records in a shared store. */
const RUN = `-${randomUUID().slice(0, 8)}`;

/** What each invocation's `decide` step returns, in turn (a decision taken inside a step may differ per run). */
const decisions: string[] = [];
/** Side effects, in order. */
const effects: string[] = [];

interface Order {
  id: string;
  /** Ship with an at-least-once step instead of the at-most-once one. */
  shipAtLeastOnce?: boolean;
}

@DurableService({ name: 'overlap' })
class Orders {
  @Workflow()
  async handle(_ctx: DurableContext, order: Order) {
    const decision = await this.decide(order.id);
    const result =
      decision === 'refund'
        ? await this.refund(order.id)
        : order.shipAtLeastOnce === true
          ? await this.shipAgain(order.id)
          : await this.ship(order.id);
    return { decision, result };
  }

  @Step()
  async decide(_id: string): Promise<string> {
    return decisions.shift() ?? 'ship';
  }

  @Step()
  async refund(id: string): Promise<string> {
    effects.push(`refund ${id}`);
    return `refunded ${id}`;
  }

  @Step({ semantics: 'at-most-once' })
  async ship(id: string): Promise<string> {
    effects.push(`ship ${id}`);
    return `shipped ${id}`;
  }

  @Step({ name: 'ship-again' })
  async shipAgain(id: string): Promise<string> {
    effects.push(`ship ${id}`);
    return `shipped ${id}`;
  }
}

/** A promise with its resolver, to hold a write back until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Opens `reached`, then waits for `release`: a write held back once its invocation got there. */
function reached(at: { open: () => void }, release: { promise: Promise<void> }): Promise<void> {
  at.open();
  return release.promise;
}

/** `store`, with `hooks[position]` run around each operation write at that position. */
function hooked(
  store: CheckpointStore,
  hooks: Record<string, { before?: () => Promise<void>; after?: () => void }>,
): CheckpointStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'writeOperation') {
        return async (...args: Parameters<CheckpointStore['writeOperation']>) => {
          const hook = hooks[args[1].position];
          await hook?.before?.();
          const outcome = await target.writeOperation(...args);
          hook?.after?.();
          return outcome;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A clock far enough ahead of invocation A's that A's lease has expired by it (A outlived its lease). */
const LATER = 10 * 60_000;

describe('two invocations that overlap', () => {
  it.each([
    ['an at-most-once', false],
    ['an at-least-once', true],
  ])(
    'never mix their paths, and %s step never adopts another path’s record (pipelined A, strict B)',
    async (_what, shipAtLeastOnce) => {
      const store = testStore();
      const executionId = `mix${shipAtLeastOnce ? '-alo' : ''}${RUN}`;
      const event = { executionId, input: { id: 'o-1', shipAtLeastOnce } };
      decisions.length = 0;
      effects.length = 0;
      decisions.push('refund', 'ship'); // A decides refund, B (and everyone after) ship

      const aDecided = gate();
      const aDecision = gate();
      const aRefund = gate();
      const aRefundLanded = gate();
      // A: clock behind, pipelined checkpoints; its decision's checkpoint is slow, its refund's lands once B has decided.
      const handlerA = createHandler(Orders, {
        store: hooked(store, {
          '1': { before: () => reached(aDecided, aDecision) },
          '2': { before: () => aRefund.promise, after: () => aRefundLanded.open() },
        }),
        pipelineCheckpoints: true,
        leaseMs: 1_000,
        now: () => 0,
      });
      // B: took over A's expired lease; its at-most-once ship writes only after A's refund record landed.
      const handlerB = createHandler(Orders, {
        store: hooked(store, {
          '1': { after: () => aRefund.open() },
          '2': { before: () => aRefundLanded.promise },
        }),
        now: () => LATER,
      });

      const a = handlerA(event).then(
        () => 'returned',
        (error: unknown) => error,
      );
      await aDecided.promise; // A holds the claim and has decided before B takes over
      const b = await handlerB(event).then(
        () => 'returned',
        (error: unknown) => error,
      );
      // B met A's refund at its own position 2: another path's record, neither adopted nor overwritten.
      expect(b).toBeInstanceOf(ExecutionBusyError);
      aDecision.open();
      expect(await a).toBeInstanceOf(ExecutionBusyError); // A meets B's newer decision and stops
      expect(await store.getExecution({ service: 'overlap', executionId })).toMatchObject({ status: 'SUSPENDED' });

      // The next invocation replays B's decision, distrusts A's refund (it followed A's decision) and ships.
      const c = await createHandler(Orders, { store, now: () => 2 * LATER })({ executionId });
      expect(c).toMatchObject({ status: 'SUCCEEDED', output: { decision: 'ship', result: 'shipped o-1' } });
      expect(effects.filter((e) => e.startsWith('ship'))).toHaveLength(shipAtLeastOnce ? 2 : 1);
      expect(await store.getExecution({ service: 'overlap', executionId })).toMatchObject({ status: 'SUCCEEDED' });
    },
  );

  it('strict checkpoints: the slower writer finds the newer claim’s record and stops', async () => {
    const store = testStore();
    const executionId = `strict${RUN}`;
    decisions.length = 0;
    effects.length = 0;
    decisions.push('refund', 'ship');
    const aDecided = gate();
    const aDecision = gate();
    const handlerA = createHandler(Orders, {
      store: hooked(store, { '1': { before: () => reached(aDecided, aDecision) } }),
      leaseMs: 1_000,
      now: () => 0,
    });
    const a = handlerA({ executionId, input: { id: 'o-2' } }).then(
      () => 'returned',
      (error: unknown) => error,
    );
    await aDecided.promise;
    const b = await createHandler(Orders, { store, now: () => LATER })({ executionId, input: { id: 'o-2' } });
    expect(b).toMatchObject({ status: 'SUCCEEDED', output: { decision: 'ship', result: 'shipped o-2' } });
    aDecision.open();
    expect(await a).toBeInstanceOf(ExecutionBusyError);
    expect(effects).toEqual(['ship o-2']);
    expect(await store.getExecution({ service: 'overlap', executionId })).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ decision: 'ship', result: 'shipped o-2' }),
    });
  });
});
