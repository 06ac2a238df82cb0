import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CallbackTimeoutError,
  type DurableContext,
  DurableService,
  Step,
  StepInterruptedError,
  Workflow,
} from '../index.js';
import { DurableTestRunner } from './index.js';

/** The examples of docs/testing.md, run. Every code block of the page (but its imports) must appear here. */

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const THIS_FILE = fileURLToPath(import.meta.url);

interface Order {
  orderId: string;
  amount: number;
}

// The services' collaborators, as fakes: what the docs' steps call.
const stock = { reserved: [] as string[], reserve: async (id: string) => void stock.reserved.push(id) };
const payments = {
  charges: [] as string[],
  charge: async (id: string, _amount: number) => {
    payments.charges.push(id);
    return `receipt-${id}`;
  },
};
const emails = {
  sent: [] as { to: string; token: string }[],
  send: (to: string, token: string) => void emails.sent.push({ to, token }),
};

beforeEach(() => {
  stock.reserved = [];
  payments.charges = [];
  emails.sent = [];
});

@DurableService({ name: 'orders' })
export class OrderService {
  @Workflow()
  async place(ctx: DurableContext, order: Order) {
    await this.reserve(order.orderId);
    const receipt = await this.charge(order.orderId, order.amount);
    await ctx.sleep('settle', { days: 3 });
    const approval = await ctx.waitForCallback<{ approved: boolean }>(
      'approval',
      (token) => emails.send('manager@example.com', token),
      { timeout: { days: 7 } },
    );
    return { receipt, status: approval.approved ? 'shipped' : 'refunded' };
  }

  @Step()
  async reserve(orderId: string): Promise<void> {
    await stock.reserve(orderId);
  }

  @Step({ semantics: 'at-most-once' })
  async charge(orderId: string, amount: number): Promise<string> {
    return payments.charge(orderId, amount);
  }
}

@DurableService({ name: 'checkout' })
export class CheckoutService {
  @Workflow()
  async buy(ctx: DurableContext, order: Order) {
    const placed = await ctx.invoke<Order, { status: string }>({ service: 'orders', workflow: 'place' }, order);
    return placed.status;
  }
}

describe('docs/testing.md', () => {
  it('a first test: to the callback, then to the end', async () => {
    const runner = new DurableTestRunner({ services: [OrderService] });
    const waiting = await runner.run(OrderService, 'place', { orderId: 'o-1', amount: 20 });
    assert.equal(waiting.status, 'SUSPENDED');
    assert.deepEqual(
      waiting.pendingCallbacks.map((callback) => callback.name),
      ['approval'],
    );

    const done = await runner.completeCallback('approval', { approved: true });
    assert.equal(done.status, 'SUCCEEDED');
    assert.deepEqual(done.output, { receipt: 'receipt-o-1', status: 'shipped' });
    assert.equal(done.step('charge')?.attempts, 1);
    assert.deepEqual(done.step('charge')?.args, ['o-1', 20]);
  });

  it('time: step through sleeps and timeouts', async () => {
    const runner = new DurableTestRunner({ services: [OrderService], startAt: Date.UTC(2026, 0, 5) });
    const sleeping = await runner.run(OrderService, 'place', { orderId: 'o-2', amount: 5 }, { until: 'suspended' });
    assert.equal(sleeping.resumeAt, Date.UTC(2026, 0, 8));

    runner.advance({ days: 3 });
    const waiting = await runner.resume(sleeping.id);
    assert.equal(waiting.callback('approval')?.timeoutAt, Date.UTC(2026, 0, 15));

    runner.advance({ days: 7 });
    const timedOut = await runner.resume(sleeping.id);
    assert.equal(timedOut.status, 'FAILED');
    assert.ok(timedOut.error instanceof CallbackTimeoutError);
  });

  it('callbacks: by the token the submitter was handed', async () => {
    const runner = new DurableTestRunner({ services: [OrderService] });
    await runner.run(OrderService, 'place', { orderId: 'o-3', amount: 5 });
    const { token } = emails.sent[0]!;
    const done = await runner.completeCallback(token, { approved: false });
    assert.deepEqual(done.output, { receipt: 'receipt-o-3', status: 'refunded' });
  });

  it('several services: a child execution', async () => {
    const runner = new DurableTestRunner({ services: [CheckoutService, OrderService] });
    const waiting = await runner.run(CheckoutService, 'buy', { orderId: 'o-4', amount: 7 });
    assert.equal(waiting.pendingCallbacks[0]?.executionId, `${waiting.id}/1`);

    const done = await runner.completeCallback('approval', { approved: true });
    assert.equal(done.output, 'shipped');
    assert.equal(done.child('orders')?.step('charge')?.status, 'SUCCEEDED');
  });

  it('crashes: at-least-once repeats only the step in flight', async () => {
    const runner = new DurableTestRunner({ services: [OrderService] });
    const crashed = await runner.run(
      OrderService,
      'place',
      { orderId: 'o-5', amount: 9 },
      { crash: { beforeCheckpoint: 'reserve' } },
    );
    assert.equal(crashed.status, 'RUNNING');

    await runner.resume(crashed.id);
    assert.deepEqual(stock.reserved, ['o-5', 'o-5']);
    assert.deepEqual(payments.charges, ['o-5']);
  });

  it('crashes: at-most-once is never repeated', async () => {
    const runner = new DurableTestRunner({ services: [OrderService] });
    const crashed = await runner.run(
      OrderService,
      'place',
      { orderId: 'o-6', amount: 9 },
      { crash: { beforeCheckpoint: 'charge' } },
    );

    const resumed = await runner.resume(crashed.id);
    assert.equal(resumed.status, 'FAILED');
    assert.ok(resumed.error instanceof StepInterruptedError);
    assert.deepEqual(payments.charges, ['o-6']);
  });

  it('replay: an exported journal against the code', async () => {
    const runner = new DurableTestRunner({ services: [OrderService] });
    await runner.run(OrderService, 'place', { orderId: 'o-7', amount: 1 });
    const done = await runner.completeCallback('approval', { approved: true });
    const file = JSON.stringify(done.export(), null, 2);

    const verdict = await runner.replay(OrderService, file);
    assert.equal(verdict.compatible, true);
  });

  it('has every code block of the page here, verbatim', () => {
    const page = readFileSync(path.join(ROOT, 'docs/testing.md'), 'utf8');
    const blocks = [...page.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks.length).toBeGreaterThan(5);
    const here = normalized(readFileSync(THIS_FILE, 'utf8'));
    const missing = blocks
      .map((block) => normalized(block.replace(/^import .*\n/gm, '')))
      .filter((block) => block !== '' && !here.includes(block));
    expect(missing, 'blocks of docs/testing.md that this file does not run').toEqual([]);
  });
});

/** The lines of `text`, each trimmed, blank ones left out: indentation differs between the page and a test body. */
function normalized(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}
