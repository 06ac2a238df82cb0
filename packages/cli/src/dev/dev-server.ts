import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { lockFolder } from '../local/folder-lock.js';
import { pruneCode } from './code-store.js';
import type { ControlPlane } from './control-plane.js';
import { DEFAULT_DEV_ACCOUNT_ID, DEFAULT_DEV_PORT } from './dev-defaults.js';
import { type DynamoDbProxy, isDynamoDbRequest, startDynamoDbProxy } from './dynamodb-proxy.js';
import { eventInvokeLimits } from './event-invoke-config-operations.js';
import { FunctionRegistry } from './function-registry.js';
import { assignRequestId, sendError } from './http-io.js';
import { type InvokePlane, resolveRunnable } from './invoke-operation.js';
import { type ArnScope, functionArn } from './lambda-arn.js';
import { LambdaApiError } from './lambda-error.js';
import { createLambdaRouter } from './lambda-router.js';
import { RunnerPool } from './runner-pool.js';
import { EventQueue } from './runtime/event-queue.js';
import { createFunctionRunner } from './runtime/function-runner.js';
import { SweeperLoop } from './runtime/sweeper-loop.js';
import { StateFolder } from './state-folder.js';
import { sweepTargets } from './sweep-targets.js';

/** How `durable-gen dev` serves, and where it keeps its state. */
export interface DevServerOptions {
  /** The app folder; state lives in `<root>/.durable/dev/`. */
  root: string;
  /** 0 = any free port (default 9001). */
  port?: number;
  /** The account the ARNs name (default '123456789012'). */
  accountId?: string;
  /** The region the ARNs name (default `AWS_REGION`, else 'us-east-1'). */
  region?: string;
  /** How often the sweeper loop looks for due executions (default 1000). */
  sweepIntervalMs?: number;
  /** Delays before the retries of a failed asynchronous invocation (default [1000, 2000]). */
  eventRetryDelaysMs?: number[];
  /** How long a created or updated function stays Pending / InProgress (default 300). */
  pendingMs?: number;
  /** Receives progress lines and the functions' logs. */
  log?: (line: string) => void;
}

/** A running dev server. */
export interface DevServer {
  /** `http://127.0.0.1:<port>`: the endpoint for Lambda and DynamoDB clients. */
  url: string;
  port: number;
  /** Stops serving, stops every function's processes, and lets go of the state folder. */
  close(): Promise<void>;
}

/**
 * Starts the local Lambda API on 127.0.0.1: the control plane (functions,
 * versions, aliases, tags, event invoke configs), Invoke running each
 * version's own unzipped code in child processes, the asynchronous-event
 * queue with Lambda's retries, and DynamoDB on the same URL. The state
 * folder is locked for as long as it runs: a second dev server, or another
 * durable-gen command, on the same app is refused with a clear message.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const scope: ArnScope = {
    accountId: options.accountId ?? DEFAULT_DEV_ACCOUNT_ID,
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
  };
  const folder = new StateFolder(path.resolve(options.root));
  mkdirSync(folder.folder, { recursive: true });
  const lock = lockFolder(folder.lockFile, folder.folder, 'dev');
  const stack: (() => Promise<void>)[] = [async () => lock.release()];
  const unwind = async () => {
    for (const step of stack.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    const registry = await FunctionRegistry.open(folder, scope);
    for (const record of registry.all()) await pruneCode(folder, record);
    const dynamoDb: DynamoDbProxy = await startDynamoDbProxy(folder.dynamoDbFolder);
    stack.push(() => dynamoDb.close());

    let url = '';
    const plane: ControlPlane = { registry, folder, scope, pendingMs: options.pendingMs ?? 300, log, url: () => url };
    const pool = new RunnerPool(
      (version) =>
        createFunctionRunner(version, { endpointUrl: url, region: scope.region, accountId: scope.accountId, log }),
      folder,
      scope,
    );
    registry.onRetire((retirement) => pool.retire(retirement));
    let queue: EventQueue | undefined;
    const invokePlane: InvokePlane = {
      registry,
      scope,
      pool,
      enqueue: (invocation) => {
        if (queue === undefined) throw new LambdaApiError(503, 'ServiceException', 'durable-gen dev is starting.');
        return queue.enqueue(invocation);
      },
    };
    const route = createLambdaRouter(plane, invokePlane);

    let ready: () => void = () => undefined;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      void isReady.then(() => handle(request, response));
    });
    const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
      if (isDynamoDbRequest(request)) {
        dynamoDb.forward(request, response);
        return;
      }
      const requestId = assignRequestId(response);
      try {
        await route(request, response, requestId);
      } catch (error) {
        if (!(error instanceof LambdaApiError)) log(`error in ${request.method} ${request.url}: ${String(error)}`);
        sendError(response, error);
      }
    };
    server.listen(options.port ?? DEFAULT_DEV_PORT, '127.0.0.1');
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([error]) => {
        throw error;
      }),
    ]);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the dev server did not bind a port');
    url = `http://127.0.0.1:${address.port}`;
    stack.push(async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections of clients that are done would hold close() open; invocations still
      // running were ended when their processes were stopped.
      server.closeAllConnections();
      await closed;
    });
    stack.push(() => pool.close());

    queue = await EventQueue.open({
      folder: path.join(folder.folder, 'events'),
      log,
      ...(options.eventRetryDelaysMs === undefined ? {} : { retryDelaysMs: options.eventRetryDelaysMs }),
      limitsOf: (functionName, qualifier) => eventInvokeLimits(registry.find(functionName), qualifier),
      run: (attempt) => {
        const qualifier = attempt.qualifier === '$LATEST' ? undefined : attempt.qualifier;
        const { record, version } = resolveRunnable(invokePlane, attempt.functionName, qualifier);
        return pool.run(record, version, {
          requestId: attempt.requestId,
          invokedFunctionArn: attempt.invokedFunctionArn,
          payload: attempt.payload,
        });
      },
    });
    const openedQueue = queue;
    stack.push(() => openedQueue.close());
    const sweeper = SweeperLoop.start({
      listDurableFunctions: () => sweepTargets(registry),
      run: (sweep) => {
        const { record, version } = resolveRunnable(invokePlane, sweep.functionName, sweep.qualifier);
        return pool.run(record, version, {
          requestId: sweep.requestId,
          invokedFunctionArn: functionArn(scope, sweep.functionName, sweep.qualifier),
          payload: sweep.payload,
          quiet: true,
        });
      },
      log,
      ...(options.sweepIntervalMs === undefined ? {} : { intervalMs: options.sweepIntervalMs }),
    });
    stack.push(() => sweeper.close());
    ready();

    let isClosed = false;
    return {
      url,
      port: address.port,
      close: async () => {
        if (isClosed) return;
        isClosed = true;
        await unwind();
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
