import { beforeEach, describe, expect, it } from 'vitest';
import {
  createHandler,
  type DurableContext,
  DurableService,
  ExecutionConflictError,
  ExecutionNotFoundError,
  InProcessInvoker,
  InvalidEventError,
  type LambdaContext,
  PayloadTooLargeError,
  parseEvent,
  SerializationError,
  type ServiceClass,
  Step,
  UnknownWorkflowError,
  Workflow,
} from '../index.js';
import { serialize } from '../serde/serialize.js';
import { ManualClock } from '../testing/clock.js';
import { CountingStore } from '../testing/counting-store.js';
import { lambdaContextWith, RecordingLogger, rejectionOf, thrownBy, uniqueId } from '../testing/fixtures.js';
import { testStore } from '../testing/test-store.js';

/** Every step body that runs appends its name. */
const ran: string[] = [];

beforeEach(() => {
  ran.length = 0;
});

@DurableService({ name: 'events-shop' })
class Shop {
  @Workflow()
  async place(ctx: DurableContext, order: { sku?: string; wait?: boolean }) {
    const receipt = await this.record(order);
    if (order?.wait === true) await ctx.sleep('settle', { minutes: 1 });
    return { receipt, order };
  }

  @Step() async record(order: unknown) {
    ran.push('record');
    return `receipt for ${JSON.stringify(order)}`;
  }
}

@DurableService({ name: 'events-desk' })
class Desk {
  @Workflow() async open(_ctx: DurableContext, input: unknown) {
    ran.push('open');
    return input;
  }

  @Workflow() async close(_ctx: DurableContext, input: unknown) {
    ran.push('close');
    return input;
  }
}

/** Places an order with events-shop as its child `<id>/1`. */
@DurableService({ name: 'events-till' })
class Till {
  @Workflow()
  async sell(ctx: DurableContext, order: { sku: string; wait?: boolean }) {
    return ctx.invoke({ service: 'events-shop', workflow: 'place' }, order);
  }
}

/** A store that already holds one finished execution, so "unchanged" is not trivially true. */
async function seededStore(service: ServiceClass, seed: unknown) {
  const inner = testStore();
  const store = new CountingStore(inner);
  const handler = createHandler(service, { store, logger: new RecordingLogger(), maxPayloadBytes: 4_096 });
  await handler(seed);
  store.reset();
  ran.length = 0;
  const name = handler.service.name;
  const snapshot = () => inner.listExecutions({ service: name, limit: 1_000 });
  return { inner, store, handler, snapshot };
}

/** Sends `event` to a handler of `service` and returns what it threw, checking that nothing was written or run. */
async function refused(service: ServiceClass, event: unknown, lambdaContext?: LambdaContext): Promise<unknown> {
  const seedId = uniqueId('seed');
  const seed =
    service === Desk ? { executionId: seedId, workflow: 'open', input: 1 } : { executionId: seedId, input: {} };
  const { store, handler, snapshot } = await seededStore(service, seed);
  const before = await snapshot();
  expect(before.executions.map((e) => e.executionId)).toContain(seedId);

  const error = await rejectionOf(handler(event, lambdaContext));

  expect(store.writes).toBe(0);
  expect(store.count('writeOperation')).toBe(0);
  expect(await snapshot()).toEqual(before);
  expect(ran).toEqual([]);
  return error;
}

function expectInvalidEvent(error: unknown, mentions: string | RegExp): void {
  expect(error).toBeInstanceOf(InvalidEventError);
  expect((error as InvalidEventError).code).toBe('INVALID_EVENT');
  expect((error as InvalidEventError).message).toMatch(mentions);
}

describe('events that are not an execution request', () => {
  const cases: [string, unknown, string | RegExp][] = [
    ['a number', 42, /number 42, not an object/],
    ['a string', '{"executionId":"x"}', /the string .*, not an object/],
    ['a boolean', true, /not an object/],
    ['undefined', undefined, /undefined, not an object/],
    ['null', null, /null, not an object/],
    ['an array', [{ executionId: 'x', input: 1 }], /an array, not an object/],
    ['an object with none of the keys', { orderId: 'x' }, /none of the keys .*it has: orderId/],
    ['an unknown key beside the envelope', { executionId: 'x', input: 1, inptu: 2 }, /'inptu'/],
    ['a non-string workflow', { executionId: 'x', workflow: 7, input: 1 }, /'workflow' must be a non-empty string/],
    ['an empty workflow', { executionId: 'x', workflow: '', input: 1 }, /'workflow' must be a non-empty string/],
    ['a workflow alone', { workflow: 'place' }, /must name it in 'executionId'/],
    ['an empty id', { executionId: '', input: 1 }, /'executionId' must be a non-empty string/],
    ['a numeric id', { executionId: 17, input: 1 }, /'executionId' must be a non-empty string \(got number 17\)/],
    [
      'an id over 256 characters on an event that can start an execution',
      { executionId: 'x'.repeat(257), input: 1 },
      /257 characters long, over the maximum of 256 for an event that can start an execution.*kept for child/,
    ],
    ['an id over 512 characters on a resume event', { executionId: 'x'.repeat(513) }, /513 .*over the maximum of 512/],
    [
      "an id with '/' on an event that can start an execution",
      { executionId: 'order-42/1', input: 1 },
      /'executionId' is the string "order-42\/1", which contains '\/': ids with '\/' name child executions/,
    ],
    [
      "an EventBridge event whose id has a '/'",
      { id: 'order-42/1', 'detail-type': 'OrderPlaced', source: 'shop', detail: {} },
      /EventBridge event id is the string "order-42\/1", which contains '\/'/,
    ],
    [
      "an SQS messageId with a '/'",
      { Records: [{ messageId: 'order-42/1', body: '{}' }] },
      /SQS messageId .* contains '\/'/,
    ],
    [
      "an Idempotency-Key with a '/'",
      { requestContext: { requestId: 'r-1' }, headers: { 'Idempotency-Key': 'order-42/1' }, body: '{}' },
      /Idempotency-Key header .* contains '\/'/,
    ],
    [
      'a child-invoke event of another protocol version',
      {
        durableInvoke: 2,
        executionId: 'p/1',
        workflow: 'place',
        input: '{}',
        parent: { service: 's', executionId: 'p' },
      },
      /child-invoke event of protocol number 2/,
    ],
    [
      "a child-invoke event whose id is not '<parent id>/<position>'",
      {
        durableInvoke: 1,
        executionId: 'q/1',
        workflow: 'place',
        input: '{}',
        parent: { service: 's', executionId: 'p' },
      },
      /must be '<parent.executionId>\/<position>' \(got the string "q\/1" for the parent the string "p"\)/,
    ],
    [
      'a child-invoke event whose id ends in no position',
      {
        durableInvoke: 1,
        executionId: 'p/x',
        workflow: 'place',
        input: '{}',
        parent: { service: 's', executionId: 'p' },
      },
      /must be '<parent.executionId>\/<position>'/,
    ],
    [
      'a child-invoke event whose input is not serialized',
      {
        durableInvoke: 1,
        executionId: 'p/1',
        workflow: 'place',
        input: { sku: 1 },
        parent: { service: 's', executionId: 'p' },
      },
      /'input' of a child-invoke event must be a serialized value/,
    ],
    [
      'a child-invoke event with an unknown key',
      {
        durableInvoke: 1,
        executionId: 'p/1',
        workflow: 'place',
        input: '{}',
        parent: { service: 's', executionId: 'p' },
        inptu: 1,
      },
      /'inptu' in a child-invoke event/,
    ],
    ['an id with a newline', { executionId: 'order\n1', input: 1 }, /control characters/],
    ['an id with a NUL', { executionId: 'order\u00001', input: 1 }, /control characters/],
    ['an id with DEL', { executionId: 'order\u007f', input: 1 }, /control characters/],
    ['an id with an unpaired surrogate', { executionId: 'order-\ud800', input: 1 }, /unpaired surrogates/],
    [
      'an SQS batch of 2',
      {
        Records: [
          { messageId: 'm-1', body: '{}' },
          { messageId: 'm-2', body: '{}' },
        ],
      },
      /exactly one record \(it has 2\).*BatchSize to 1/,
    ],
    [
      'an SQS body that is not JSON',
      { Records: [{ messageId: 'm-1', body: 'sku=1' }] },
      /SQS message body is not JSON/,
    ],
    ['an SQS record without a body', { Records: [{ messageId: 'm-1' }] }, /no string body/],
    [
      'an EventBridge event without an id',
      { 'detail-type': 'OrderPlaced', source: 'shop', detail: {} },
      /EventBridge event id must be a non-empty string/,
    ],
    [
      'an API Gateway body that is not JSON',
      { requestContext: { requestId: 'r-1' }, headers: {}, body: '<xml/>', isBase64Encoded: false },
      /request body is not JSON/,
    ],
  ];

  it.each(cases)('refuses %s with InvalidEventError, writing nothing', async (_label, event, mentions) => {
    expectInvalidEvent(
      thrownBy(() => parseEvent(event, undefined)),
      mentions,
    );
    expectInvalidEvent(await refused(Shop, event), mentions);
  });

  it('refuses an envelope without an id when there is no Lambda request id to fall back on', async () => {
    const event = { input: { sku: 'a' } };
    const mentions = /no execution id.*no Lambda request id/;
    expectInvalidEvent(
      thrownBy(() => parseEvent(event, undefined)),
      mentions,
    );
    expectInvalidEvent(await refused(Shop, event), mentions);
    expectInvalidEvent(await refused(Shop, event, lambdaContextWith(10_000)), mentions);
  });
});

describe('events the service cannot run', () => {
  it('refuses an unknown workflow with UnknownWorkflowError listing the available ones', async () => {
    const error = await refused(Desk, { executionId: uniqueId('desk'), workflow: 'reopen', input: 1 });
    expect(error).toBeInstanceOf(UnknownWorkflowError);
    expect(error).toMatchObject({
      code: 'UNKNOWN_WORKFLOW',
      service: 'events-desk',
      workflow: 'reopen',
      available: ['open', 'close'],
    });
    expect((error as Error).message).toMatch(/no workflow 'reopen'.*open, close/);
  });

  it('refuses an event without a workflow when the service has two', async () => {
    const error = await refused(Desk, { executionId: uniqueId('desk'), input: 1 });
    expect(error).toBeInstanceOf(UnknownWorkflowError);
    expect(error).toMatchObject({ code: 'UNKNOWN_WORKFLOW', workflow: undefined, available: ['open', 'close'] });
    expect((error as Error).message).toMatch(/has 2 workflows \(open, close\).*must name one in 'workflow'/);
  });

  it('refuses an input holding a function with SerializationError', async () => {
    const error = await refused(Shop, { executionId: uniqueId('order'), input: { sku: 'a', onDone: () => {} } });
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ code: 'SERIALIZATION', what: 'the workflow input', path: '$.onDone' });
    expect((error as Error).message).toMatch(/a function/);
  });

  it('refuses an input holding a cycle with SerializationError', async () => {
    const order: { sku: string; self?: unknown } = { sku: 'a' };
    order.self = order;
    const error = await refused(Shop, { executionId: uniqueId('order'), input: order });
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ code: 'SERIALIZATION', what: 'the workflow input', path: '$.self' });
    expect((error as Error).message).toMatch(/a cycle/);
  });

  it('refuses an input over maxPayloadBytes with PayloadTooLargeError', async () => {
    const error = await refused(Shop, { executionId: uniqueId('order'), input: { sku: 'x'.repeat(5_000) } });
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', what: 'the workflow input', maxBytes: 4_096 });
    expect((error as PayloadTooLargeError).sizeBytes).toBeGreaterThan(4_096);
    expect((error as PayloadTooLargeError).retryable).toBe(false);
  });
});

describe('envelopes', () => {
  it('reads an explicit envelope', async () => {
    const executionId = uniqueId('order');
    const event = { executionId, workflow: 'place', input: { sku: 'a' } };
    expect(parseEvent(event, undefined)).toEqual({
      executionId,
      workflow: 'place',
      input: { value: { sku: 'a' } },
      idSource: 'event',
    });
    const { handler, inner } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    const result = await handler(event);
    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId,
      output: { receipt: 'receipt for {"sku":"a"}', order: { sku: 'a' } },
    });
    expect(await inner.getExecution({ service: 'events-shop', executionId })).toMatchObject({
      workflow: 'place',
      status: 'SUCCEEDED',
    });
  });

  it('reads an EventBridge event: its id is the execution id, its detail the input', async () => {
    const id = uniqueId('eb');
    const event = {
      version: '0',
      id,
      'detail-type': 'OrderPlaced',
      source: 'shop.orders',
      account: '123456789012',
      time: '2025-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { sku: 'eb-sku' },
    };
    expect(parseEvent(event, undefined)).toEqual({
      executionId: id,
      input: { value: { sku: 'eb-sku' } },
      idSource: 'eventbridge',
    });
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    expect(await handler(event)).toMatchObject({
      status: 'SUCCEEDED',
      executionId: id,
      output: { order: { sku: 'eb-sku' } },
    });
  });

  it('reads a single-record SQS event: messageId is the execution id, the JSON body the input', async () => {
    const messageId = uniqueId('msg');
    const event = {
      Records: [
        {
          messageId,
          receiptHandle: 'AQEB...',
          body: '{"sku":"sqs-sku"}',
          attributes: { ApproximateReceiveCount: '1' },
          messageAttributes: {},
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders',
          awsRegion: 'eu-west-1',
        },
      ],
    };
    expect(parseEvent(event, undefined)).toEqual({
      executionId: messageId,
      input: { value: { sku: 'sqs-sku' } },
      idSource: 'sqs',
    });
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    expect(await handler(event)).toMatchObject({ status: 'SUCCEEDED', executionId: messageId });
    // SQS redelivers the same message: answered from the journal.
    expect(await handler(event)).toMatchObject({ status: 'SUCCEEDED', executionId: messageId });
    expect(ran).toEqual(['record']);
  });

  it('reads an API Gateway REST (v1) event with an Idempotency-Key header', async () => {
    const key = uniqueId('idem');
    const event = {
      resource: '/orders',
      path: '/orders',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      requestContext: { requestId: 'req-v1', stage: 'prod' },
      body: '{"sku":"v1"}',
      isBase64Encoded: false,
    };
    expect(parseEvent(event, undefined)).toEqual({
      executionId: key,
      input: { value: { sku: 'v1' } },
      idSource: 'api',
    });
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    expect(await handler(event)).toMatchObject({
      status: 'SUCCEEDED',
      executionId: key,
      output: { order: { sku: 'v1' } },
    });
  });

  it('reads an API Gateway HTTP (v2) event with a lowercase idempotency-key header and a base64 body', async () => {
    const key = uniqueId('idem');
    const event = {
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      requestContext: { requestId: 'req-v2', http: { method: 'POST', path: '/orders' } },
      body: Buffer.from('{"sku":"v2","note":"é"}').toString('base64'),
      isBase64Encoded: true,
    };
    expect(parseEvent(event, undefined)).toEqual({
      executionId: key,
      input: { value: { sku: 'v2', note: 'é' } },
      idSource: 'api',
    });
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    expect(await handler(event)).toMatchObject({ status: 'SUCCEEDED', executionId: key });
  });

  it('finds the Idempotency-Key header whatever its case, and falls back to the request id without it', () => {
    const api = (headers: Record<string, string>) => ({
      requestContext: { requestId: 'req-1' },
      headers,
      body: '{}',
    });
    expect(parseEvent(api({ 'IDEMPOTENCY-KEY': 'k-upper' }), undefined).executionId).toBe('k-upper');
    expect(parseEvent(api({ 'idempotency-Key': 'k-mixed' }), undefined).executionId).toBe('k-mixed');
    expect(parseEvent(api({ 'content-type': 'application/json' }), undefined).executionId).toBe('req-1');
  });

  it('falls back to the Lambda request id, so a retry of the same invocation resumes the same execution', async () => {
    const requestId = uniqueId('req');
    const event = { input: { sku: 'r' } };
    expect(parseEvent(event, lambdaContextWith(10_000, requestId))).toEqual({
      executionId: requestId,
      input: { value: { sku: 'r' } },
      idSource: 'request-id',
    });
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    const first = await handler(event, lambdaContextWith(10_000, requestId));
    const retry = await handler(event, lambdaContextWith(10_000, requestId));
    expect(first).toMatchObject({ status: 'SUCCEEDED', executionId: requestId });
    expect(retry).toEqual(first);
    expect(ran).toEqual(['record']);
  });

  it('prefers the explicit executionId over the Lambda request id', () => {
    const request = parseEvent({ executionId: 'mine', input: 1 }, lambdaContextWith(10_000, 'req-9'));
    expect(request).toMatchObject({ executionId: 'mine', idSource: 'event' });
  });
});

describe('execution ids that are already used, or not yet', () => {
  it('refuses a resume event for an id the store does not have with ExecutionNotFoundError', async () => {
    const executionId = uniqueId('ghost');
    expect(parseEvent({ executionId }, undefined)).toEqual({ executionId, idSource: 'event' });
    const { store, handler, snapshot } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    const before = await snapshot();

    const error = await rejectionOf(handler({ executionId }));

    expect(error).toBeInstanceOf(ExecutionNotFoundError);
    expect(error).toMatchObject({ code: 'EXECUTION_NOT_FOUND', executionId });
    expect(await snapshot()).toEqual(before);
    expect(store.count('writeOperation') + store.count('transition')).toBe(0);
    expect(ran).toEqual([]);
  });

  it('answers an id re-used with the same input from the journal', async () => {
    const executionId = uniqueId('order');
    const { handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    const first = await handler({ executionId, input: { sku: 'same' } });
    const again = await handler({ executionId, input: { sku: 'same' } });
    expect(again).toEqual(first);
    expect(ran).toEqual(['record']);
  });

  it('refuses an id of a finished execution re-used with another input with ExecutionConflictError', async () => {
    const executionId = uniqueId('order');
    const { inner, handler, snapshot } = await seededStore(Shop, { executionId, input: { sku: 'first' } });
    const before = await snapshot();

    const error = await rejectionOf(handler({ executionId, input: { sku: 'second' } }));

    expect(error).toBeInstanceOf(ExecutionConflictError);
    expect(error).toMatchObject({ code: 'EXECUTION_CONFLICT', executionId });
    expect((error as Error).message).toMatch(/with another input/);
    expect(await snapshot()).toEqual(before);
    expect((await inner.getExecution({ service: 'events-shop', executionId }))?.status).toBe('SUCCEEDED');
    expect(ran).toEqual([]);
  });

  it('refuses an id of a suspended execution re-used with another input with ExecutionConflictError', async () => {
    const executionId = uniqueId('order');
    const { store, handler } = await seededStore(Shop, { executionId: uniqueId('seed'), input: {} });
    const suspended = await handler({ executionId, input: { sku: 'first', wait: true } }, lambdaContextWith(5_000));
    expect(suspended.status).toBe('SUSPENDED');
    store.reset();
    ran.length = 0;

    const error = await rejectionOf(handler({ executionId, input: { sku: 'second' } }, lambdaContextWith(5_000)));

    expect(error).toBeInstanceOf(ExecutionConflictError);
    expect(store.count('writeOperation') + store.count('transition')).toBe(0);
    expect((await store.inner.getExecution({ service: 'events-shop', executionId }))?.status).toBe('SUSPENDED');
    expect(ran).toEqual([]);
  });

  it('refuses an id re-used for another workflow with ExecutionConflictError', async () => {
    const executionId = uniqueId('desk');
    const { handler, snapshot } = await seededStore(Desk, { executionId, workflow: 'open', input: 1 });
    const before = await snapshot();

    const error = await rejectionOf(handler({ executionId, workflow: 'close', input: 1 }));

    expect(error).toBeInstanceOf(ExecutionConflictError);
    expect((error as Error).message).toMatch(/for workflow 'open', not 'close'/);
    expect(await snapshot()).toEqual(before);
    expect(ran).toEqual([]);
  });
});

describe('ids from outside never reach the ids of child executions', () => {
  /** A till and the shop it invokes, in process on one store. */
  function tillAndShop() {
    const store = testStore();
    const clock = new ManualClock();
    const invoker = new InProcessInvoker({
      services: [Till, Shop],
      store,
      now: clock.now,
      logger: new RecordingLogger(),
      maxInProcessWaitMs: 1_000,
    });
    return { store, clock, till: invoker.handler('events-till'), shop: invoker.handler('events-shop') };
  }

  function childEvent(parentId: string, executionId: string) {
    return {
      durableInvoke: 1,
      executionId,
      workflow: 'place',
      input: serialize({ sku: 'child', at: new Date(0), count: 3n }, 'test input'),
      parent: { service: 'events-till', executionId: parentId },
      remainingMs: 900,
    };
  }

  it("refuses an API request that takes a child's id, so the parent's invoke still runs its own child", async () => {
    const { store, till, shop } = tillAndShop();
    const parentId = uniqueId('order');
    const childKey = { service: 'events-shop', executionId: `${parentId}/1` };
    const squat = {
      requestContext: { requestId: 'req-squat' },
      headers: { 'Idempotency-Key': childKey.executionId },
      body: '{"sku":"squatter"}',
    };

    expectInvalidEvent(await rejectionOf(shop(squat)), /Idempotency-Key header .* contains '\/'/);
    expectInvalidEvent(
      await rejectionOf(shop({ executionId: childKey.executionId, input: { sku: 'squatter' } })),
      /'executionId' .* contains '\/'.*\{ executionId \} alone\) may name a child/,
    );
    expect(await store.getExecution(childKey)).toBeUndefined();
    expect(ran).toEqual([]);

    const result = await till({ executionId: parentId, input: { sku: 'mine' } });
    expect(result).toEqual({
      status: 'SUCCEEDED',
      executionId: parentId,
      output: { receipt: 'receipt for {"sku":"mine"}', order: { sku: 'mine' } },
    });
    expect(await store.getExecution(childKey)).toMatchObject({ status: 'SUCCEEDED', workflow: 'place' });
  });

  it('resumes a child named by its id alone, as the sweeper does', async () => {
    const { store, clock, till, shop } = tillAndShop();
    const parentId = uniqueId('order');
    const childId = `${parentId}/1`;
    expect(await till({ executionId: parentId, input: { sku: 'slow', wait: true } })).toMatchObject({
      status: 'SUSPENDED',
    });
    expect(await store.getExecution({ service: 'events-shop', executionId: childId })).toMatchObject({
      status: 'SUSPENDED',
    });
    expect(parseEvent({ executionId: childId }, undefined)).toEqual({ executionId: childId, idSource: 'event' });

    clock.advance(60_000);
    const child = await shop({ executionId: childId });

    expect(child).toEqual({
      status: 'SUCCEEDED',
      executionId: childId,
      output: { receipt: 'receipt for {"sku":"slow","wait":true}', order: { sku: 'slow', wait: true } },
    });
    // The parent finds its child finished and answers its output.
    expect(await till({ executionId: parentId })).toEqual({ ...child, executionId: parentId });
    expect(ran).toEqual(['record']);
  });

  it('starts an execution with an id of 256 characters, whose child then has an id of 258', async () => {
    const { store, till } = tillAndShop();
    const parentId = uniqueId('long').padEnd(256, 'x');

    const result = await till({ executionId: parentId, input: { sku: 'long' } });

    expect(result).toMatchObject({ status: 'SUCCEEDED', executionId: parentId });
    const child = await store.getExecution({ service: 'events-shop', executionId: `${parentId}/1` });
    expect(child).toMatchObject({ status: 'SUCCEEDED' });
    expect(child?.executionId).toHaveLength(258);
  });

  it('resumes by an id of up to 512 characters, and refuses a longer one', () => {
    const childId = `${'p'.repeat(300)}/1/2.1`.padEnd(512, '3');
    expect(parseEvent({ executionId: childId }, undefined)).toEqual({ executionId: childId, idSource: 'event' });
    expectInvalidEvent(
      thrownBy(() => parseEvent({ executionId: `${childId}4` }, undefined)),
      /513 characters long, over the maximum of 512/,
    );
  });

  it('reads a child-invoke event: its input deserialized, its parent, the time the parent has left', () => {
    const parentId = 'order-1/3';
    expect(parseEvent(childEvent(parentId, `${parentId}/2.1`), lambdaContextWith(5_000, 'req-1'))).toEqual({
      executionId: 'order-1/3/2.1',
      workflow: 'place',
      input: { value: { sku: 'child', at: new Date(0), count: 3n } },
      idSource: 'invoke',
      parent: { service: 'events-till', executionId: parentId },
      callerRemainingMs: 900,
    });
  });

  it("accepts a child-invoke event's id of up to 512 characters, and refuses a longer one", () => {
    const atLimit = 'p'.repeat(510);
    expect(parseEvent(childEvent(atLimit, `${atLimit}/1`), undefined).executionId).toHaveLength(512);
    const over = 'p'.repeat(511);
    expectInvalidEvent(
      thrownBy(() => parseEvent(childEvent(over, `${over}/1`), undefined)),
      /'executionId' of a child-invoke event is 513 characters long, over the maximum of 512/,
    );
  });
});
