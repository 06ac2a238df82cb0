import { ConfigurationError } from '../errors.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from '../invoke/invoker.js';
import { decodeChildAnswer, encodeChildInvoke } from '../invoke/protocol.js';
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
 * SUSPENDED answer; FAILED for an invoke refused before it is sent; and what
 * the child's handler throws (busy, store unavailable) is rethrown as it is,
 * where Lambda would report it as a function error, so the parent retries. A
 * service this invoker does not run is a thrown `ConfigurationError`.
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
    const handler = this.handler(request.target.service);
    const encoded = encodeChildInvoke(request);
    if ('refusal' in encoded) return { status: 'FAILED', error: encoded.refusal };
    // Both legs as JSON, as over Lambda: nothing passes by reference, nothing JSON cannot carry passes at all.
    const answer: unknown = await handler(JSON.parse(JSON.stringify(encoded.event)) as unknown);
    return decodeChildAnswer(
      JSON.parse(JSON.stringify(answer)) as unknown,
      request,
      `the handler of '${handler.service.name}'`,
    );
  }
}
