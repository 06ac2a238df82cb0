import type { Diagnostic } from '../diagnostics.js';

/** Stable codes of {@link BundleError}. */
export type BundleErrorCode =
  | 'NO_MANIFEST'
  | 'UNKNOWN_SERVICE'
  | 'NO_HANDLER'
  | 'CHECK_FAILED'
  | 'GENERATED_STALE'
  | 'BUNDLE_FAILED';

/** Why `bundle` could not bundle: `code` is stable, the message says what to do. */
export class BundleError extends Error {
  /** The findings that stopped it, for `CHECK_FAILED`. */
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    readonly code: BundleErrorCode,
    message: string,
    options?: ErrorOptions & { diagnostics?: readonly Diagnostic[] },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.diagnostics = options?.diagnostics ?? [];
  }
}
