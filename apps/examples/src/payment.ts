/**
 * An at-most-once payment with an idempotency key. The charge step is at-most-once: its start is recorded before
 * the card is charged, so after a crash the engine knows a charge may have happened and never repeats it blindly
 * (the step fails with `StepInterruptedError`). The workflow then asks the payment provider, by the idempotency
 * key, whether the charge went through, and charges only if it did not. The key comes from `ctx.uuid()`: it is
 * recorded, so every retry and replay of this execution sends the same one.
 */
import { type DurableContext, DurableService, Step, StepInterruptedError, Workflow } from '@durable/core';

export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export interface Charge {
  chargeId: string;
  idempotencyKey: string;
  amountCents: number;
}

/** A card processor that deduplicates by idempotency key, as Stripe's and Adyen's APIs do. */
export interface PaymentProvider {
  charge(customerId: string, amountCents: number, idempotencyKey: string): Promise<Charge>;
  /** The charge made with `idempotencyKey`, or undefined when none was made. */
  findCharge(idempotencyKey: string): Promise<Charge | undefined>;
}

export const paymentDependencies: { provider: PaymentProvider } = {
  provider: {
    charge: async (_customer, amountCents, idempotencyKey) => ({ chargeId: 'ch_1', idempotencyKey, amountCents }),
    findCharge: async () => undefined,
  },
};

@DurableService({ name: 'payments' })
export class PaymentService {
  @Workflow()
  async pay(ctx: DurableContext, request: PaymentRequest): Promise<Charge> {
    const idempotencyKey = await ctx.uuid();
    try {
      return await this.charge(request.customerId, request.amountCents, idempotencyKey);
    } catch (error) {
      if (!(error instanceof StepInterruptedError)) throw error;
      // The invocation died inside the charge: whether the provider took it is unknown here, not to the provider.
      const made = await this.findCharge(idempotencyKey);
      if (made !== undefined) return made;
      return this.charge(request.customerId, request.amountCents, idempotencyKey);
    }
  }

  @Step({ semantics: 'at-most-once' })
  async charge(customerId: string, amountCents: number, idempotencyKey: string): Promise<Charge> {
    return paymentDependencies.provider.charge(customerId, amountCents, idempotencyKey);
  }

  // A read: safe to repeat, so at-least-once (the default) with retries.
  @Step({ retry: { maxAttempts: 5 } })
  async findCharge(idempotencyKey: string): Promise<Charge | undefined> {
    return paymentDependencies.provider.findCharge(idempotencyKey);
  }
}
