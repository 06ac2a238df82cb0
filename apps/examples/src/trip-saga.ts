/**
 * A saga with compensation: a trip books a flight, a hotel and a car; when a booking fails for good, the ones
 * already made are cancelled, newest first, and the trip fails with the original error. Each cancellation is a
 * step, so it is recorded once it happened: a crash in the middle of compensating resumes with the cancellations
 * still to do, never with the ones already done.
 */
import { type DurableContext, DurableService, Step, Workflow } from '@durable/core';

export interface TripRequest {
  tripId: string;
  traveller: string;
  from: string;
  to: string;
  nights: number;
}

export interface Itinerary {
  flight: string;
  hotel: string;
  car: string;
}

/** The travel suppliers: each booking returns a confirmation that its cancellation takes. */
export interface TravelSuppliers {
  bookFlight(tripId: string, from: string, to: string): Promise<string>;
  bookHotel(tripId: string, city: string, nights: number): Promise<string>;
  bookCar(tripId: string, city: string): Promise<string>;
  cancel(confirmation: string): Promise<void>;
}

export const tripDependencies: { suppliers: TravelSuppliers } = {
  suppliers: {
    bookFlight: async (tripId) => `flight-${tripId}`,
    bookHotel: async (tripId) => `hotel-${tripId}`,
    bookCar: async (tripId) => `car-${tripId}`,
    cancel: async () => {},
  },
};

@DurableService({ name: 'trips' })
export class TripBookingService {
  @Workflow()
  async book(ctx: DurableContext, trip: TripRequest): Promise<Itinerary> {
    // What to undo, newest last. Rebuilt the same way on every replay: the steps return their recorded results.
    const compensations: string[] = [];
    try {
      const flight = await this.bookFlight(trip.tripId, trip.from, trip.to);
      compensations.push(flight);
      const hotel = await this.bookHotel(trip.tripId, trip.to, trip.nights);
      compensations.push(hotel);
      const car = await this.bookCar(trip.tripId, trip.to);
      return { flight, hotel, car };
    } catch (error) {
      ctx.logger.warn('trip failed, cancelling its bookings', { tripId: trip.tripId, bookings: compensations });
      for (const confirmation of compensations.reverse()) await this.cancel(confirmation);
      throw error;
    }
  }

  @Step({ retry: { maxAttempts: 3 } })
  async bookFlight(tripId: string, from: string, to: string): Promise<string> {
    return tripDependencies.suppliers.bookFlight(tripId, from, to);
  }

  @Step({ retry: { maxAttempts: 3 } })
  async bookHotel(tripId: string, city: string, nights: number): Promise<string> {
    return tripDependencies.suppliers.bookHotel(tripId, city, nights);
  }

  @Step({ retry: { maxAttempts: 3 } })
  async bookCar(tripId: string, city: string): Promise<string> {
    return tripDependencies.suppliers.bookCar(tripId, city);
  }

  // A compensation must not give up: it retries for longer than a booking does (suppliers' cancels are idempotent).
  @Step({ retry: { maxAttempts: 10, maxDelayMs: 300_000 } })
  async cancel(confirmation: string): Promise<void> {
    await tripDependencies.suppliers.cancel(confirmation);
  }
}
