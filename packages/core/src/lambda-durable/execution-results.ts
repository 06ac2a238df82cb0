import { deserialize } from '../serde/serialize.js';
import { carriedBy } from './carried-errors.js';

/**
 * An execution's outcome as the service reports it (`GetDurableExecution`, the handler's answer, the test
 * runner's), read back as the workflow left it: its output with its values, its error with its class.
 */

/** The error of a failed execution as the service or the SDK's test runner reports it. */
export interface ReportedExecutionError {
  ErrorType?: string | undefined;
  ErrorMessage?: string | undefined;
  ErrorData?: string | undefined;
  /** The test runner's `getError()` spells the fields in camel case. */
  errorType?: string | undefined;
  errorMessage?: string | undefined;
  errorData?: string | undefined;
}

/** The output of a succeeded execution, from its `Result` text (tagged JSON: Date, BigInt, Map, … intact). */
export function decodeExecutionResult(result: string | undefined): unknown {
  return result === undefined || result === '' ? undefined : deserialize(result);
}

/**
 * The error a failed execution ended with: the original (this package's errors as instances of their class, with
 * their own fields), from its `ErrorData`; for an error this package did not write, an `Error` with the
 * reported type as its name and the reported message.
 */
export function decodeExecutionError(reported: ReportedExecutionError): Error {
  const errorData = reported.ErrorData ?? reported.errorData;
  const carried = carriedBy({ errorData });
  if (carried instanceof Error) return carried;
  const error = new Error(reported.ErrorMessage ?? reported.errorMessage ?? '');
  error.name = reported.ErrorType ?? reported.errorType ?? 'Error';
  return error;
}
