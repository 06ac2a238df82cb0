import { NonRetryableError } from '@durable/core';
import { DurableTestRunner, type RecordingLogger } from '@durable/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { TripBookingService, type TripRequest, tripDependencies } from '../src/trip-saga.js';

const trip: TripRequest = { tripId: 't-9', traveller: 'ada', from: 'LHR', to: 'LIS', nights: 3 };

/** What the suppliers were asked, in order. */
let calls: string[];
let hotelAnswer: () => Promise<string>;
let carAnswer: () => Promise<string>;

beforeEach(() => {
  calls = [];
  hotelAnswer = async () => 'hotel-t-9';
  carAnswer = async () => 'car-t-9';
  tripDependencies.suppliers = {
    bookFlight: async (tripId) => {
      calls.push('book flight');
      return `flight-${tripId}`;
    },
    bookHotel: async () => {
      calls.push('book hotel');
      return hotelAnswer();
    },
    bookCar: async () => {
      calls.push('book car');
      return carAnswer();
    },
    cancel: async (confirmation) => void calls.push(`cancel ${confirmation}`),
  };
});

describe('TripBookingService', () => {
  it('books the whole trip when every supplier answers', async () => {
    const runner = new DurableTestRunner({ services: [TripBookingService] });
    const done = await runner.run(TripBookingService, 'book', trip);

    expect(done.output).toEqual({ flight: 'flight-t-9', hotel: 'hotel-t-9', car: 'car-t-9' });
    expect(calls).toEqual(['book flight', 'book hotel', 'book car']);
  });

  it('cancels what it booked, newest first, once each, when the car cannot be booked', async () => {
    carAnswer = async () => {
      throw new NonRetryableError('no cars left in LIS');
    };
    const runner = new DurableTestRunner({ services: [TripBookingService] });
    const failed = await runner.run(TripBookingService, 'book', trip);

    expect(failed.status).toBe('FAILED');
    expect((failed.error as Error).message).toBe('no cars left in LIS');
    expect(calls).toEqual(['book flight', 'book hotel', 'book car', 'cancel hotel-t-9', 'cancel flight-t-9']);
  });

  it('compensates only after the booking used up its retries', async () => {
    hotelAnswer = async () => {
      throw new Error('hotel API unavailable');
    };
    const runner = new DurableTestRunner({ services: [TripBookingService] });
    const failed = await runner.run(TripBookingService, 'book', trip);

    expect(failed.status).toBe('FAILED');
    expect(failed.step('bookHotel')).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(calls).toEqual(['book flight', 'book hotel', 'book hotel', 'book hotel', 'cancel flight-t-9']);
    expect(failed.step('bookCar')).toBeUndefined();
  });

  it('resumes a compensation cut short by a crash without cancelling anything twice', async () => {
    carAnswer = async () => {
      throw new NonRetryableError('no cars left in LIS');
    };
    const runner = new DurableTestRunner({ services: [TripBookingService] });
    const crashed = await runner.run(TripBookingService, 'book', trip, { crash: { afterCheckpoint: 'cancel' } });
    expect(crashed.status).toBe('RUNNING');
    expect(calls.at(-1)).toBe('cancel hotel-t-9');

    const failed = await runner.resume(crashed.id);
    expect(failed.status).toBe('FAILED');
    expect(calls.filter((call) => call.startsWith('cancel'))).toEqual(['cancel hotel-t-9', 'cancel flight-t-9']);
    expect(failed.operations('cancel').map((entry) => entry.args)).toEqual([['hotel-t-9'], ['flight-t-9']]);
    // The resumed invocation replayed past the warning: it is logged once.
    const warnings = (runner.logger as RecordingLogger).entries.filter((entry) => entry.level === 'warn');
    expect(warnings.map((entry) => entry.message)).toEqual(['trip failed, cancelling its bookings']);
  });
});
