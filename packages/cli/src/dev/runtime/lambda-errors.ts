import type { LambdaErrorJson } from './child-process.js';

/** Lambda's init limit, outside the function's own timeout. */
export const INIT_TIMEOUT_SECONDS = 10;

/** The error of an invocation stopped at its timeout: `Sandbox.Timedout`. */
export function timedOutError(requestId: string, timeoutSeconds: number): LambdaErrorJson {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** The error of an invocation whose process ended under it: `Runtime.ExitError`, worded as Lambda does. */
export function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): LambdaErrorJson {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: ${describeExit(code, signal)}`,
  };
}

/** Lambda's words for a runtime's exit (Go's names of signals). */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `Runtime exited with error: signal: ${SIGNAL_NAMES[signal] ?? signal}`;
  if (code === 0 || code === null) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${code}`;
}

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
};

/** `Error: boom` from a function error's payload (Lambda's error JSON), else the payload's start as it is. */
export function describeFunctionError(payload: Uint8Array): string {
  const text = new TextDecoder().decode(payload);
  try {
    const error = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown } | null;
    if (typeof error?.errorType === 'string') return `${error.errorType}: ${String(error.errorMessage ?? '')}`;
  } catch {
    // not JSON: shown as it is
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
