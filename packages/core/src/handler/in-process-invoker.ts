import { ConfigurationError, isDurableError } from '../errors.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from '../invoke/invoker.js';
import { decodeChildAnswer, encodeChildInvoke, invokeUnavailable } from '../invoke/protocol.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import { createHandler, type DurableHandler, type HandlerOptions, type ServiceClass } from './create-handler.js';

/** Options of {@link InProcessInvoker}: the services it can run and the handler options they share. */
export interface InProcessInvokerOptions extends Omit<HandlerOptions, 'store' | 'invoker'> {
  services: ServiceClass[];
  store: CheckpointStore;
}

/**
 * Runs child workflows in this process, on the same store: for local runs and
 * tests, where every service of an app lives in one process. Child services
 * get this invoker too, so grandchildren work the same way.
 *
 * It takes the path `LambdaInvoker` takes, minus the network: the same
 * child-invoke event (invoke/protocol.ts), through JSON as Lambda carries it,
 * to the target's handler, and the same decoding of its answer. So the
 * outcomes are the same (see InvokeOutcome): the child's SUCCEEDED, FAILED or
 * SUSPENDED answer; FAILED for an invoke refused before it is sent. What the
 * child's handler throws is what Lambda would report as a function error, so
 * it is thrown, always retryable, and the parent tries again: a retryable
 * error of this package (`ExecutionBusyError`, `StoreUnavailableError`) as it
 * is, anything else inside an `INVOKE_UNAVAILABLE` error (as its `cause`), as
 * is a target service this invoker does not run (a local run that could not
 * load it).
 */
export class InProcessInvoker implements Invoker {
  readonly #handlers = new Map<string, DurableHandler>();

  constructor(options: InProcessInvokerOptions) {
    const { services, ...handlerOptions } = options;
    for (const service of services) {
      const handler = createHandler(service, { ...handlerOptions, invoker: this });
      this.#handlers.set(handler.service.name, handler);
    }
  }

  /** The handler of a service this invoker runs, e.g. to start the top-level execution with the same options. */
  handler(serviceName: string): DurableHandler {
    const handler = this.#handlers.get(serviceName);
    if (handler === undefined) {
      throw new ConfigurationError(
        `InProcessInvoker has no service '${serviceName}'; it has: ${[...this.#handlers.keys()].join(', ') || '(none)'}.`,
      );
    }
    return handler;
  }

  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const where = `in process, service '${request.target.service}'`;
    let handler: DurableHandler;
    try {
      handler = this.handler(request.target.service);
    } catch (error) {
      throw invokeUnavailable(request, where, (error as Error).message, {}, error);
    }
    const encoded = encodeChildInvoke(request);
    if ('refusal' in encoded) return { status: 'FAILED', error: encoded.refusal };
    let answer: unknown;
    try {
      // Both legs as JSON, as over Lambda: nothing passes by reference, nothing JSON cannot carry passes at all.
      const event: unknown = JSON.parse(JSON.stringify(encoded.event));
      answer = JSON.parse(JSON.stringify(await handler(event)));
    } catch (error) {
      // The engine records a thrown error that is not retryable as the invoke's failure; over Lambda this would
      // have been a function error, which the parent retries.
      if (isDurableError(error) && error.retryable) throw error;
      const thrown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw invokeUnavailable(request, where, `its handler threw ${thrown}`, {}, error);
    }
    return decodeChildAnswer(answer, request, `the handler of '${handler.service.name}'`);
  }
}
