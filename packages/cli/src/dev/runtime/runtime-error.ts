/** Stable codes of {@link DevRuntimeError}. */
export type DevRuntimeErrorCode = 'RUNNER_CLOSED' | 'EVENT_QUEUE_UNREADABLE' | 'EVENT_QUEUE_CLOSED';

/** A failure of dev's runtime itself (never a function error, which is an outcome): `code` is stable. */
export class DevRuntimeError extends Error {
  constructor(
    readonly code: DevRuntimeErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
