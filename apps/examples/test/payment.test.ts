import { DurableTestRunner } from '@durable/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Charge, type PaymentRequest, PaymentService, paymentDependencies } from '../src/payment.js';

const request: PaymentRequest = { orderId: 'o-42', customerId: 'cus_ada', amountCents: 49_00 };

/** A provider that keeps one charge per idempotency key, as a real one does; `calls` are the charge requests. */
let charges: Map<string, Charge>;
let calls: string[];

beforeEach(() => {
  charges = new Map();
  calls = [];
  paymentDependencies.provider = {
    charge: async (_customerId, amountCents, idempotencyKey) => {
      calls.push(idempotencyKey);
      const existing = charges.get(idempotencyKey);
      if (existing !== undefined) return existing;
      const charge = { chargeId: `ch_${charges.size + 1}`, idempotencyKey, amountCents };
      charges.set(idempotencyKey, charge);
      return charge;
    },
    findCharge: async (idempotencyKey) => charges.get(idempotencyKey),
  };
});

describe('PaymentService', () => {
  it('charges once with a recorded idempotency key', async () => {
    const runner = new DurableTestRunner({ services: [PaymentService] });
    const done = await runner.run(PaymentService, 'pay', request);

    expect(done.status).toBe('SUCCEEDED');
    const key = done.at(1)?.result as string;
    expect(done.at(1)).toMatchObject({ kind: 'uuid' });
    expect(done.output).toEqual({ chargeId: 'ch_1', idempotencyKey: key, amountCents: 4900 });
    expect(done.step('charge')).toMatchObject({ isAtMostOnce: true, attempts: 1, args: ['cus_ada', 4900, key] });
  });

  it('after a crash once the card was charged, finds that charge instead of charging again', async () => {
    const runner = new DurableTestRunner({ services: [PaymentService] });
    const crashed = await runner.run(PaymentService, 'pay', request, { crash: { beforeCheckpoint: 'charge' } });
    expect(crashed.status).toBe('RUNNING');
    expect(calls).toHaveLength(1);

    const done = await runner.resume(crashed.id);
    expect(done.status).toBe('SUCCEEDED');
    // The key survived the crash: the uuid was recorded before the charge started.
    expect(done.output).toEqual({ chargeId: 'ch_1', idempotencyKey: calls[0], amountCents: 4900 });
    expect(done.step('charge')?.status).toBe('FAILED');
    expect(done.step('findCharge')?.args).toEqual([calls[0]]);
    expect(done.step('charge', 2)).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(charges.size).toBe(1);
  });

  it('after a crash before the card was charged, charges then, with the same key', async () => {
    const runner = new DurableTestRunner({ services: [PaymentService] });
    const crashed = await runner.run(PaymentService, 'pay', request, { crash: { beforeSideEffect: 'charge' } });
    expect(calls).toEqual([]);

    const done = await runner.resume(crashed.id);
    expect(done.status).toBe('SUCCEEDED');
    const key = crashed.at(1)?.result;
    expect(done.step('findCharge')).toMatchObject({ status: 'SUCCEEDED', result: undefined });
    expect(done.step('charge', 2)).toMatchObject({ status: 'SUCCEEDED', args: ['cus_ada', 4900, key] });
    expect(calls).toEqual([key]);
    expect(charges.size).toBe(1);
  });

  it('sends the same key from every execution retry, and a new one per execution', async () => {
    const runner = new DurableTestRunner({ services: [PaymentService] });
    const crashed = await runner.run(PaymentService, 'pay', request, { crash: { beforeCheckpoint: 'charge' } });
    await runner.resume(crashed.id);
    const other = await runner.run(PaymentService, 'pay', request);

    expect(other.output?.idempotencyKey).not.toBe(calls[0]);
    expect(charges.size).toBe(2);
  });
});
