/**
 * The payload of the sweeper's schedule (deploy creates it: EventBridge
 * Scheduler, every minute, with this as its input). A shape of its own,
 * checked before any other: it is never read as a workflow event.
 */
export interface SweepEvent {
  durableSweep: 1;
  /** The service whose due executions to resume; must be the handler's own. */
  service: string;
}

/** The sweep event of `service`, as a schedule sends it. */
export function sweepEvent(service: string): SweepEvent {
  return { durableSweep: 1, service };
}

/** True for an event that asks for a sweep (whatever else it carries: the shape is reserved). */
export function isSweepEvent(event: unknown): event is { durableSweep: unknown; service?: unknown } {
  return typeof event === 'object' && event !== null && Object.hasOwn(event, 'durableSweep');
}
