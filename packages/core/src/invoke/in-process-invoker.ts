import { ConfigurationError, isDurableError } from '../errors.js';
import {
  createHandler,
  type DurableHandler,
  type HandlerOptions,
  type ServiceClass,
} from '../handler/create-handler.js';
import type { CheckpointStore } from '../stores/checkpoint-store.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from './invoker.js';

/** Options of {@link InProcessInvoker}: the services it can run and the handler options they share. */
export interface InProcessInvokerOptions extends Omit<HandlerOptions, 'store' | 'invoker'> {
  services: ServiceClass[];
  store: CheckpointStore;
}

/**
 * Runs child workflows in this process, on the same store: for local runs and
 * tests, where every service of an app lives in one process. Child services
 * get this invoker too, so grandchildren work the same way.
 */
export class InProcessInvoker implements Invoker {
  readonly #handlers = new Map<string, DurableHandler>();
  readonly #store: CheckpointStore;

  constructor(options: InProcessInvokerOptions) {
    const { services, ...handlerOptions } = options;
    this.#store = options.store;
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
    try {
      const { remainingMs } = request;
      // The child runs inside the parent's invocation: it has the parent's time left, no more.
      const result = await handler(
        { executionId: request.executionId, workflow: request.target.workflow, input: request.input },
        remainingMs === undefined ? undefined : { getRemainingTimeInMillis: () => remainingMs },
      );
      return result.status === 'SUCCEEDED'
        ? { status: 'SUCCEEDED', output: result.output }
        : { status: 'SUSPENDED', resumeAt: result.resumeAt };
    } catch (error) {
      // A busy child or an unreachable store may pass: the parent tries again later. Anything else is the child's outcome.
      // A child that ended FAILED with a retryable kind of error (a StepTimeoutError) has failed all the same.
      if (isDurableError(error) && error.retryable && !(await this.#hasFailed(handler, request.executionId))) {
        throw error;
      }
      return { status: 'FAILED', error };
    }
  }

  async #hasFailed(handler: DurableHandler, executionId: string): Promise<boolean> {
    const child = await this.#store.getExecution({ service: handler.service.name, executionId });
    return child?.status === 'FAILED';
  }
}
