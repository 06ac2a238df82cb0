import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointStore,
  ConfigurationError,
  createHandler,
  type DurableContext,
  type DurableHandler,
  DurableService,
  ExecutionBusyError,
  ExecutionConflictError,
  INVOKE_UNAVAILABLE,
  InProcessInvoker,
  InvalidEventError,
  InvalidTargetArnError,
  type InvokeRequest,
  type Invoker,
  isDurableError,
  type LambdaContext,
  NonRetryableError,
  PayloadTooLargeError,
  parseLambdaArn,
  Step,
  StoreUnavailableError,
  UnknownWorkflowError,
  Workflow,
} from '../index.js';
import { hashSerialized } from '../journal/hash.js';
import { LambdaInvoker } from '../lambda.js';
import { deserialize, serialize } from '../serde/serialize.js';
import { ManualClock } from '../testing/clock.js';
import { RecordingLogger, rejectionOf, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';
import { childInvocation } from './child-answer.js';

/*
 * A parent invoking its child, over Lambda and in process: the child-invoke
 * event, the handler's answer (child-answer.ts) and the invokers' decoding
 * (invoke/protocol.ts). Over Lambda, the real @aws-sdk/client-lambda talks to
 * a local server that speaks the Invoke API and runs the child's real handler.
 */

const HOUR_MS = 3_600_000;
const ACCOUNT = '123456789012';
const INVENTORY_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:inventory:1`;
const INVENTORY = { service: 'inventory', workflow: 'reserve', arnEnv: 'DURABLE_TARGET_INVENTORY_ARN' };

/** A user's own error class, with fields of its own. */
class OutOfStockError extends Error {
  readonly code = 'OUT_OF_STOCK';
  constructor(
    readonly sku: string,
    readonly available: bigint,
  ) {
    super(`only ${available} of ${sku} left`);
    this.name = 'OutOfStockError';
  }
}

/** What the shop orders; values JSON alone cannot carry. */
interface Order {
  sku: string;
  quantity: bigint;
  at: Date;
  notes: Map<string, Set<string>>;
  bytes?: Uint8Array;
  /** `out-of-stock`, `refuse`: the child fails; `restock`: it sleeps an hour first. */
  mode?: 'out-of-stock' | 'refuse' | 'restock';
}

/** Side effects of the child's steps, in order. */
const ran: string[] = [];

@DurableService({ name: 'inventory' })
class Inventory {
  @Workflow()
  async reserve(ctx: DurableContext, order: Order) {
    const held = await this.hold(order);
    if (order.mode === 'out-of-stock') throw new OutOfStockError(order.sku, held.quantity - 1n);
    if (order.mode === 'refuse') throw new NonRetryableError(`${order.sku} is not sold here`);
    if (order.mode === 'restock') await ctx.sleep('restock', { minutes: 60 });
    return held;
  }

  @Step()
  async hold(order: Order) {
    ran.push(`hold ${order.sku}`);
    return {
      sku: order.sku,
      quantity: order.quantity * 2n,
      until: new Date(order.at.getTime() + 60_000),
      notes: new Map([...order.notes, ['held', new Set(['yes'])]]),
      bytes: order.bytes,
      nothing: undefined,
    };
  }
}

@DurableService({ name: 'shop' })
class Shop {
  @Workflow()
  async checkout(ctx: DurableContext, order: Order) {
    try {
      return { reservation: await ctx.invoke<Order, unknown>(INVENTORY, order) };
    } catch (error) {
      // The error as the child's invoke rejected: recorded in the parent's output, so tests can look at it.
      return { failed: error };
    }
  }
}

function order(sku: string, extra: Partial<Order> = {}): Order {
  return {
    sku,
    quantity: 2n ** 64n + 1n,
    at: new Date('2026-01-02T03:04:05.678Z'),
    notes: new Map([['gift', new Set(['wrap', 'card'])]]),
    ...extra,
  };
}

// ---- a local Lambda Invoke API ----------------------------------------------

/** What a function answers instead of (or after) running, as Lambda does when it fails. */
type LambdaFault = 'timeout' | 'crash' | 'throttle';

type LambdaFunction = (event: unknown, context: LambdaContext) => Promise<unknown>;

/**
 * `POST /2015-03-31/functions/{name}/invocations` on 127.0.0.1, answered like
 * Lambda: the handler's return value as the payload; what it throws as
 * `{ errorType, errorMessage, trace }` with `X-Amz-Function-Error: Unhandled`.
 */
class LocalLambdaApi {
  readonly requests: { functionName: string; event: unknown }[] = [];
  readonly #functions: Map<string, LambdaFunction>;
  readonly #faults = new Map<string, LambdaFault[]>();
  readonly #server: Server;

  private constructor(functions: Record<string, LambdaFunction>, server: Server) {
    this.#functions = new Map(Object.entries(functions));
    this.#server = server;
  }

  static async start(functions: Record<string, LambdaFunction>): Promise<LocalLambdaApi> {
    const server = createServer();
    const api = new LocalLambdaApi(functions, server);
    server.on('request', (request, response) => {
      api.#serve(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The next invocation of `functionName` fails with `fault`. */
  failNext(functionName: string, fault: LambdaFault): void {
    this.#faults.set(functionName, [...(this.#faults.get(functionName) ?? []), fault]);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (request.method !== 'POST' || match === null) {
      return sendServiceError(response, 404, 'UnknownOperationException', `no route ${request.method} ${url.pathname}`);
    }
    const nameOrArn = decodeURIComponent(match[1]!);
    const arn = parseLambdaArn(nameOrArn);
    const functionName = arn?.functionName ?? nameOrArn.split(':')[0]!;
    const qualifier = arn?.qualifier ?? url.searchParams.get('Qualifier') ?? '$LATEST';
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    this.requests.push({ functionName, event });

    const run = this.#functions.get(functionName);
    if (run === undefined) {
      return sendServiceError(response, 404, 'ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    }
    const fault = this.#faults.get(functionName)?.shift();
    if (fault === 'throttle') return sendServiceError(response, 429, 'TooManyRequestsException', 'Rate Exceeded.');
    const requestId = randomUUID();
    if (fault === 'crash') {
      return sendFunctionError(response, qualifier, {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
      });
    }
    const context: LambdaContext = {
      awsRequestId: requestId,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${functionName}:${qualifier}`,
      getRemainingTimeInMillis: () => 3_000,
    };
    let result: unknown;
    try {
      result = await run(event, context);
    } catch (error) {
      const thrown = error as Error;
      return sendFunctionError(response, qualifier, {
        errorType: thrown.name,
        errorMessage: thrown.message,
        trace: (thrown.stack ?? '').split('\n'),
      });
    }
    if (fault === 'timeout') {
      // The function ran, and its answer was lost at the deadline.
      return sendFunctionError(response, qualifier, {
        errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after 3.00 seconds`,
        errorType: 'Sandbox.Timedout',
      });
    }
    let payload: string;
    try {
      payload = JSON.stringify(result) ?? 'null';
    } catch (error) {
      // What Node's runtime does with an answer JSON cannot hold (a BigInt).
      return sendFunctionError(response, qualifier, {
        errorType: 'Runtime.MalformedHandlerResponse',
        errorMessage: (error as Error).message,
      });
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': qualifier }).end(payload);
  }
}

function sendFunctionError(response: ServerResponse, qualifier: string, report: Record<string, unknown>): void {
  response
    .writeHead(200, {
      'Content-Type': 'application/json',
      'X-Amz-Executed-Version': qualifier,
      'X-Amz-Function-Error': 'Unhandled',
    })
    .end(JSON.stringify(report));
}

function sendServiceError(response: ServerResponse, status: number, type: string, message: string): void {
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-errortype': type })
    .end(JSON.stringify({ Type: 'User', message }));
}

function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // One attempt: a throttled invoke must reach the invoker, not the SDK's retries.
    maxAttempts: 1,
  });
}

// ---- the two ways a parent reaches its child ---------------------------------

/** The store both services use, with a switch that makes the child's service unreachable. */
function storeWithOutage(inner: CheckpointStore): { store: CheckpointStore; outage: { on: boolean } } {
  const outage = { on: false };
  const store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const first = args[0] as { key?: { service?: string }; service?: string } | undefined;
        const service = first?.key?.service ?? first?.service;
        if (outage.on && service === 'inventory') {
          throw new StoreUnavailableError(String(property), { cause: new Error('ProvisionedThroughputExceeded') });
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store, outage };
}

interface Rig {
  store: CheckpointStore;
  clock: ManualClock;
  outage: { on: boolean };
  invoker: Invoker;
  shop: DurableHandler;
  /** Over Lambda only: the local Lambda API. */
  lambda?: LocalLambdaApi;
}

let opened: LocalLambdaApi[] = [];

afterEach(async () => {
  await Promise.all(opened.map((api) => api.close()));
  opened = [];
});

beforeEach(() => {
  ran.length = 0;
});

async function overLambda(): Promise<Rig> {
  const { store, outage } = storeWithOutage(testStore());
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  let invoker: LambdaInvoker | undefined;
  const shared = { store, now: clock.now, logger, maxInProcessWaitMs: 1_000 };
  const inventory = createHandler(Inventory, { ...shared, invoker: { invoke: (r) => invoker!.invoke(r) } });
  const lambda = await LocalLambdaApi.start({ inventory: (event, context) => inventory(event, context) });
  opened.push(lambda);
  invoker = new LambdaInvoker({
    client: lambdaClient(lambda.endpoint),
    env: { DURABLE_TARGET_INVENTORY_ARN: INVENTORY_ARN },
  });
  const shop = createHandler(Shop, { ...shared, invoker });
  return { store, clock, outage, invoker, shop, lambda };
}

async function inProcess(): Promise<Rig> {
  const { store, outage } = storeWithOutage(testStore());
  const clock = new ManualClock();
  const invoker = new InProcessInvoker({
    services: [Shop, Inventory],
    store,
    now: clock.now,
    logger: new RecordingLogger(),
    maxInProcessWaitMs: 1_000,
  });
  return { store, clock, outage, invoker, shop: invoker.handler('shop') };
}

/** The parent's output, which holds the reservation or the child's error. */
function outputOf(result: unknown): { reservation?: unknown; failed?: unknown } {
  expect(result).toMatchObject({ status: 'SUCCEEDED' });
  return (result as { output: { reservation?: unknown; failed?: unknown } }).output;
}

async function journalOf(rig: Rig, executionId: string) {
  return rig.store.loadJournal({ service: 'shop', executionId });
}

/** Another invocation holds the child's lease for the next minute. */
async function occupy(rig: Rig, executionId: string, input: Order): Promise<void> {
  const serialized = serialize(input, 'the child input');
  const now = rig.clock.now();
  const outcome = await rig.store.claim({
    key: { service: 'inventory', executionId },
    workflow: 'reserve',
    input: { serialized, hash: hashSerialized(serialized) },
    owner: 'someone-else',
    now,
    leaseExpiresAt: now + 60_000,
    timeoutAt: now + 30 * 24 * HOUR_MS,
    // TTL is wall-clock time, whatever the engine's clock says.
    expiresAt: Date.now() + 60 * 24 * HOUR_MS,
  });
  expect(outcome.kind).toBe('claimed');
}

describe.each([
  ['over Lambda', overLambda],
  ['in process', inProcess],
])('a parent invoking its child %s', (_how, setUp) => {
  it('round-trips BigInt, Map, Set, Date, undefined and bytes through the input and the output', async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');
    const sent = order('apple', { bytes: new Uint8Array([0, 1, 254, 255]) });

    const result = await rig.shop({ executionId: parentId, input: sent });

    const expected = {
      sku: 'apple',
      quantity: (2n ** 64n + 1n) * 2n,
      until: new Date('2026-01-02T03:05:05.678Z'),
      notes: new Map([
        ['gift', new Set(['wrap', 'card'])],
        ['held', new Set(['yes'])],
      ]),
      bytes: new Uint8Array([0, 1, 254, 255]),
      nothing: undefined,
    };
    expect(outputOf(result).reservation).toStrictEqual(expected);
    // The child got the input whole, and the parent's journal holds the output whole.
    const child = await rig.store.getExecution({ service: 'inventory', executionId: `${parentId}/1` });
    expect(child?.status).toBe('SUCCEEDED');
    expect(deserialize(child!.input)).toStrictEqual(sent);
    const [invoke] = await journalOf(rig, parentId);
    expect(invoke).toMatchObject({ position: '1', kind: 'invoke', status: 'SUCCEEDED' });
    expect(deserialize(invoke!.result!)).toStrictEqual(expected);
    expect(ran).toEqual(['hold apple']);
  });

  it('gets a child that failed with its own error class as that error: name, message, code and own fields', async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');

    const result = await rig.shop({ executionId: parentId, input: order('pear', { mode: 'out-of-stock' }) });

    const failed = outputOf(result).failed as OutOfStockError;
    expect(failed).toBeInstanceOf(Error);
    expect(failed).toMatchObject({
      name: 'OutOfStockError',
      message: `only ${(2n ** 64n + 1n) * 2n - 1n} of pear left`,
      code: 'OUT_OF_STOCK',
      sku: 'pear',
      available: (2n ** 64n + 1n) * 2n - 1n,
    });
    expect(failed.stack).toContain('OutOfStockError');
    const [invoke] = await journalOf(rig, parentId);
    expect(invoke).toMatchObject({ kind: 'invoke', status: 'FAILED' });
    expect(deserialize(invoke!.error!)).toMatchObject({ name: 'OutOfStockError', sku: 'pear' });
    expect(await rig.store.getExecution({ service: 'inventory', executionId: `${parentId}/1` })).toMatchObject({
      status: 'FAILED',
    });
  });

  it("gets a child that failed with one of this package's errors as an instance of its class", async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');

    const result = await rig.shop({ executionId: parentId, input: order('plum', { mode: 'refuse' }) });

    const failed = outputOf(result).failed;
    expect(failed).toBeInstanceOf(NonRetryableError);
    expect(failed).toMatchObject({ code: 'NON_RETRYABLE', message: 'plum is not sold here' });
  });

  it('throws for a busy child, records nothing, and runs it on a later invocation', async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');
    const sent = order('lime');
    await occupy(rig, `${parentId}/1`, sent);

    const thrown = await rejectionOf(rig.shop({ executionId: parentId, input: sent }));

    expect(isDurableError(thrown) && thrown.retryable).toBe(true);
    if (rig.lambda === undefined) expect(thrown).toBeInstanceOf(ExecutionBusyError);
    else expect(thrown).toMatchObject({ code: INVOKE_UNAVAILABLE, errorType: 'ExecutionBusyError' });
    expect(await journalOf(rig, parentId)).toEqual([]);
    expect(ran).toEqual([]);

    // Past the child's lease.
    rig.clock.advance(HOUR_MS);
    const retried = await rig.shop({ executionId: parentId });
    expect(outputOf(retried).reservation).toMatchObject({ sku: 'lime' });
    expect(ran).toEqual(['hold lime']);
  });

  it("throws while the child's store is unavailable, and finishes once it is back", async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');
    rig.outage.on = true;

    const thrown = await rejectionOf(rig.shop({ executionId: parentId, input: order('fig') }));

    expect(isDurableError(thrown) && thrown.retryable).toBe(true);
    if (rig.lambda === undefined) expect(thrown).toBeInstanceOf(StoreUnavailableError);
    else expect(thrown).toMatchObject({ code: INVOKE_UNAVAILABLE, errorType: 'StoreUnavailableError' });
    expect(await journalOf(rig, parentId)).toEqual([]);

    rig.outage.on = false;
    rig.clock.advance(HOUR_MS);
    const retried = await rig.shop({ executionId: parentId });
    expect(outputOf(retried).reservation).toMatchObject({ sku: 'fig' });
    expect(ran).toEqual(['hold fig']);
  });

  it('suspends the parent while the child sleeps, and gets its output once it has woken', async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');

    const first = await rig.shop({ executionId: parentId, input: order('date', { mode: 'restock' }) });

    expect(first).toEqual({ status: 'SUSPENDED', executionId: parentId, resumeAt: rig.clock.now() + HOUR_MS });
    rig.clock.advance(HOUR_MS);
    const done = await rig.shop({ executionId: parentId });
    expect(outputOf(done).reservation).toMatchObject({ sku: 'date', quantity: (2n ** 64n + 1n) * 2n });
    expect(ran).toEqual(['hold date']);
  });

  it('fails the invoke for good, sending nothing, when the child id would be over 512 characters', async () => {
    const rig = await setUp();
    // A grandchild's grandchild… 512 characters long (502 and five levels of '/1'): its own child would be 514.
    const deepParent = `${'p'.repeat(502)}/1/1/1/1/1`;
    const request: InvokeRequest = {
      target: INVENTORY,
      executionId: `${deepParent}/1`,
      input: order('deep'),
      parent: { service: 'shop', executionId: deepParent },
    };

    const outcome = await rig.invoker.invoke(request);

    expect(outcome).toEqual({ status: 'FAILED', error: expect.any(InvalidEventError) });
    expect((outcome as { error: Error }).error.message).toMatch(
      /would be 514 characters long, over the maximum of 512/,
    );
    expect(rig.lambda?.requests ?? []).toEqual([]);
    expect(await rig.store.getExecution({ service: 'inventory', executionId: request.executionId })).toBeUndefined();
    expect(ran).toEqual([]);
  });

  it('answers FAILED with UnknownWorkflowError when the target has no such workflow', async () => {
    const rig = await setUp();
    const request: InvokeRequest = {
      target: { ...INVENTORY, workflow: 'restock' },
      executionId: 'order-1/1',
      input: order('nope'),
      parent: { service: 'shop', executionId: 'order-1' },
    };

    const outcome = await rig.invoker.invoke(request);

    expect(outcome).toEqual({ status: 'FAILED', error: expect.any(UnknownWorkflowError) });
    expect(await rig.store.getExecution({ service: 'inventory', executionId: 'order-1/1' })).toBeUndefined();
  });

  it('answers FAILED with ExecutionConflictError when the child id is taken with another input', async () => {
    const rig = await setUp();
    const parentId = uniqueId('order');
    await occupy(rig, `${parentId}/1`, order('other'));
    rig.clock.advance(HOUR_MS);

    const result = await rig.shop({ executionId: parentId, input: order('mine') });

    expect(outputOf(result).failed).toBeInstanceOf(ExecutionConflictError);
    expect(await journalOf(rig, parentId)).toMatchObject([{ kind: 'invoke', status: 'FAILED' }]);
    expect(ran).toEqual([]);
  });
});

describe('LambdaInvoker against the Lambda Invoke API', () => {
  it.each([
    ['a timeout', 'timeout', 'Sandbox.Timedout', /Task timed out after 3\.00 seconds/],
    ['a crash', 'crash', 'Runtime.ExitError', /Runtime exited with error: signal: killed/],
  ] as const)(
    'throws for %s reported as a function error, and asks again later',
    async (_what, fault, type, message) => {
      const rig = await overLambda();
      const parentId = uniqueId('order');
      rig.lambda!.failNext('inventory', fault);

      const thrown = await rejectionOf(rig.shop({ executionId: parentId, input: order('kiwi') }));

      expect(thrown).toMatchObject({
        code: INVOKE_UNAVAILABLE,
        retryable: true,
        functionError: 'Unhandled',
        errorType: type,
        executionId: `${parentId}/1`,
        functionArn: INVENTORY_ARN,
      });
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).toMatch(/Nothing was recorded for it; a later invocation of the parent asks/);
      expect(await journalOf(rig, parentId)).toEqual([]);

      rig.clock.advance(HOUR_MS);
      const retried = await rig.shop({ executionId: parentId });
      expect(outputOf(retried).reservation).toMatchObject({ sku: 'kiwi' });
      // After a timeout the child had run already: the retry got its recorded output.
      expect(ran).toEqual(['hold kiwi']);
    },
  );

  it('throws when Lambda throttles the invoke', async () => {
    const rig = await overLambda();
    const parentId = uniqueId('order');
    rig.lambda!.failNext('inventory', 'throttle');

    const thrown = await rejectionOf(rig.shop({ executionId: parentId, input: order('lemon') }));

    expect(thrown).toMatchObject({ code: INVOKE_UNAVAILABLE, retryable: true });
    expect((thrown as Error).cause).toMatchObject({ name: 'TooManyRequestsException' });
    expect(await journalOf(rig, parentId)).toEqual([]);
    expect(ran).toEqual([]);
  });

  it('throws when the network fails', async () => {
    const rig = await overLambda();
    const endpoint = rig.lambda!.endpoint;
    await rig.lambda!.close();
    opened = [];
    const invoker = new LambdaInvoker({
      client: lambdaClient(endpoint),
      env: { DURABLE_TARGET_INVENTORY_ARN: INVENTORY_ARN },
    });
    const request: InvokeRequest = {
      target: INVENTORY,
      executionId: 'order-1/1',
      input: order('melon'),
      parent: { service: 'shop', executionId: 'order-1' },
    };

    const thrown = await rejectionOf(invoker.invoke(request));

    expect(thrown).toMatchObject({ code: INVOKE_UNAVAILABLE, retryable: true });
    expect((thrown as Error).message).toMatch(/the Invoke request failed/);
  });

  it('fails the invoke with ConfigurationError when the function does not answer the child-invoke protocol', async () => {
    const lambda = await LocalLambdaApi.start({
      // An older handler, or another function behind the ARN: a top-level answer.
      inventory: async () => ({ status: 'SUCCEEDED', executionId: 'order-1/1', output: { sku: 'x' } }),
    });
    opened.push(lambda);
    const invoker = new LambdaInvoker({
      client: lambdaClient(lambda.endpoint),
      env: { DURABLE_TARGET_INVENTORY_ARN: INVENTORY_ARN },
    });

    const outcome = await invoker.invoke({
      target: INVENTORY,
      executionId: 'order-1/1',
      input: order('x'),
      parent: { service: 'shop', executionId: 'order-1' },
    });

    expect(outcome).toEqual({ status: 'FAILED', error: expect.any(ConfigurationError) });
    expect((outcome as { error: Error }).error.message).toMatch(
      /answered an object with keys status, executionId, output, not a child-invoke answer of protocol 1/,
    );
  });

  it('fails the invoke for good, sending nothing, when the target ARN is refused', async () => {
    const rig = await overLambda();
    const parentId = uniqueId('order');
    const invoker = new LambdaInvoker({
      client: lambdaClient(rig.lambda!.endpoint),
      env: { DURABLE_TARGET_INVENTORY_ARN: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:inventory:$LATEST` },
    });
    const shop = createHandler(Shop, { store: rig.store, now: rig.clock.now, invoker, logger: new RecordingLogger() });

    const result = await shop({ executionId: parentId, input: order('quince') });

    expect(outputOf(result).failed).toBeInstanceOf(InvalidTargetArnError);
    expect(rig.lambda!.requests).toEqual([]);
    expect(await journalOf(rig, parentId)).toMatchObject([{ kind: 'invoke', status: 'FAILED' }]);
  });

  it('sends the child-invoke event, and gets the serialized answer back', async () => {
    const rig = await overLambda();
    const parentId = uniqueId('order');
    const sent = order('grape');

    await rig.shop(
      { executionId: parentId, input: sent },
      {
        invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shop:4`,
        getRemainingTimeInMillis: () => 60_000,
      },
    );

    expect(rig.lambda!.requests).toEqual([
      {
        functionName: 'inventory',
        event: {
          durableInvoke: 1,
          executionId: `${parentId}/1`,
          workflow: 'reserve',
          input: serialize(sent, 'x'),
          parent: { service: 'shop', executionId: parentId },
          remainingMs: 60_000,
        },
      },
    ]);
  });
});

describe('childInvocation', () => {
  it("answers FAILED with PayloadTooLargeError when the answer is over Lambda's 6 MB response limit", async () => {
    const key = { service: 'inventory', executionId: 'order-1/1' };
    const child = childInvocation(testStore(), key);

    const answer = await child.answer(
      Promise.resolve({ status: 'SUCCEEDED', executionId: key.executionId, output: 'x'.repeat(7 * 1024 * 1024) }),
    );

    expect(answer).toMatchObject({ durableInvoke: 1, status: 'FAILED', executionId: key.executionId });
    const error = deserialize((answer as { error: string }).error);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ what: "the answer of child execution 'order-1/1'", maxBytes: 6 * 1024 * 1024 });
  });

  it('rethrows what was thrown before anything ended the execution, when a retry may get past it', async () => {
    const key = { service: 'inventory', executionId: 'order-1/1' };
    const busy = new ExecutionBusyError(key.executionId, undefined);
    await expect(childInvocation(testStore(), key).answer(Promise.reject(busy))).rejects.toBe(busy);
  });
});
