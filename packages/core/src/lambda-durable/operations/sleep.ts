import type { Scope } from '../../context/active-scope.js';
import { ConfigurationError } from '../../errors.js';
import { hashSerialized } from '../../journal/hash.js';
import type { SdkExecution } from '../execution.js';

/**
 * `ctx.sleep` as the SDK's `context.wait`: the service keeps the timer and invokes the function again when it
 * ends. It counts whole seconds, at least 1: a duration is rounded up to whole seconds, and one under a second is
 * refused (the service cannot express it).
 */
export async function sleep(execution: SdkExecution, scope: Scope, name: string, durationMs: number): Promise<void> {
  const seconds = wholeSeconds(durationMs, `ctx.sleep('${name}')`);
  const args = `${durationMs} ms`;
  const begun = execution.begin(scope, { kind: 'sleep', name, argsHash: hashSerialized(args), args });
  await begun.sdk.wait(name, { seconds });
}

/** `durationMs` in whole seconds, rounded up; a {@link ConfigurationError} under one second. */
export function wholeSeconds(durationMs: number, what: string): number {
  if (durationMs < 1_000) {
    throw new ConfigurationError(
      `${what} lasts ${durationMs} ms: on backend 'lambda-durable' waits are whole seconds, at least 1 (the ` +
        'service cannot express less). Wait { seconds: 1 } or longer, or leave out a wait this short.',
    );
  }
  return Math.ceil(durationMs / 1_000);
}
