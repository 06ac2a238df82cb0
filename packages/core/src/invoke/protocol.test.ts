import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidEventError, NonRetryableError, PayloadTooLargeError } from '../errors.js';
import { serialize } from '../serde/serialize.js';
import type { InvokeRequest } from './invoker.js';
import {
  decodeChildAnswer,
  encodeChildInvoke,
  LAMBDA_PAYLOAD_LIMIT_BYTES,
  MAX_EXECUTION_ID_LENGTH,
  splitChildExecutionId,
} from './protocol.js';

function request(parentId: string, position = '4', input: unknown = { sku: 'a' }): InvokeRequest {
  return {
    target: { service: 'inventory', workflow: 'reserve' },
    executionId: `${parentId}/${position}`,
    input,
    parent: { service: 'shop', executionId: parentId },
  };
}

function answerTo(req: InvokeRequest, fields: Record<string, unknown>): unknown {
  return { durableInvoke: 1, executionId: req.executionId, ...fields };
}

describe('splitChildExecutionId', () => {
  it('splits at the last slash, before a position', () => {
    expect(splitChildExecutionId('order-1/3')).toEqual({ parentId: 'order-1', position: '3' });
    expect(splitChildExecutionId('order-1/3/7.2.1')).toEqual({ parentId: 'order-1/3', position: '7.2.1' });
    expect(splitChildExecutionId('order-1')).toBeUndefined();
    expect(splitChildExecutionId('/3')).toBeUndefined();
    expect(splitChildExecutionId('order-1/x')).toBeUndefined();
    expect(splitChildExecutionId('order-1/3.')).toBeUndefined();
  });
});

describe('encodeChildInvoke', () => {
  it('sends the input serialized, so values JSON cannot hold arrive whole', () => {
    const input = { count: 2n ** 70n, at: new Date(5), seen: new Map([['a', new Set([1])]]), gone: undefined };
    const encoded = encodeChildInvoke({ ...request('order-1'), input, remainingMs: 1_234.5 });
    expect(encoded).toEqual({
      event: {
        durableInvoke: 1,
        executionId: 'order-1/4',
        workflow: 'reserve',
        input: serialize(input, 'x'),
        parent: { service: 'shop', executionId: 'order-1' },
        remainingMs: 1_234,
      },
    });
  });

  it('refuses a child id over 512 characters (invokes nested too deeply) before anything is sent', () => {
    const atLimit = encodeChildInvoke(request('p'.repeat(MAX_EXECUTION_ID_LENGTH - 2), '1'));
    expect(atLimit).toHaveProperty('event');
    const over = encodeChildInvoke(request('p'.repeat(MAX_EXECUTION_ID_LENGTH - 2), '12'));
    expect(over).toEqual({ refusal: expect.any(InvalidEventError) });
    expect((over as { refusal: Error }).refusal.message).toMatch(
      /child execution id of invoke 'inventory.reserve' would be 513 characters long, over the maximum of 512: each level of invokes adds/,
    );
  });

  it("refuses a child id that is not '<parent id>/<position>'", () => {
    const encoded = encodeChildInvoke({ ...request('order-1'), executionId: 'order-2/4' });
    expect((encoded as { refusal: Error }).refusal).toBeInstanceOf(InvalidEventError);
  });

  it("refuses an event over Lambda's 6 MB payload limit with PayloadTooLargeError", () => {
    const encoded = encodeChildInvoke(request('order-1', '1', 'x'.repeat(LAMBDA_PAYLOAD_LIMIT_BYTES)));
    expect((encoded as { refusal: Error }).refusal).toBeInstanceOf(PayloadTooLargeError);
  });
});

describe('decodeChildAnswer', () => {
  const req = request('order-1');

  it('reads each status, values deserialized', () => {
    const output = { held: 3n, at: new Date(7) };
    expect(decodeChildAnswer(answerTo(req, { status: 'SUCCEEDED', output: serialize(output, 'x') }), req, 'f')).toEqual(
      { status: 'SUCCEEDED', output },
    );
    const failure = decodeChildAnswer(
      answerTo(req, { status: 'FAILED', error: serialize(new NonRetryableError('no'), 'x') }),
      req,
      'f',
    );
    expect(failure).toEqual({ status: 'FAILED', error: expect.any(NonRetryableError) });
    expect(decodeChildAnswer(answerTo(req, { status: 'SUSPENDED', resumeAt: 9 }), req, 'f')).toEqual({
      status: 'SUSPENDED',
      resumeAt: 9,
    });
    expect(decodeChildAnswer(answerTo(req, { status: 'SUSPENDED' }), req, 'f')).toEqual({
      status: 'SUSPENDED',
      resumeAt: undefined,
    });
  });

  it.each([
    [
      'a top-level answer (a handler that does not speak the protocol)',
      { status: 'SUCCEEDED', output: 1 },
      /answered an object with keys status, output/,
    ],
    ['another protocol version', { durableInvoke: 2, executionId: 'order-1/4', status: 'SUCCEEDED' }, /protocol 2/],
    [
      "another execution's answer",
      { durableInvoke: 1, executionId: 'order-1/5', status: 'SUCCEEDED', output: '1' },
      /for execution "order-1\/5"/,
    ],
    [
      'an output that is not serialized',
      { durableInvoke: 1, executionId: 'order-1/4', status: 'SUCCEEDED', output: 1 },
      /without a serialized 'output'/,
    ],
    [
      'an unreadable error',
      { durableInvoke: 1, executionId: 'order-1/4', status: 'FAILED', error: '{' },
      /unreadable 'error'/,
    ],
    ['an unknown status', { durableInvoke: 1, executionId: 'order-1/4', status: 'DONE' }, /status "DONE"/],
    ['null', null, /answered null/],
  ])('answers FAILED with ConfigurationError for %s', (_what, answer, message) => {
    const outcome = decodeChildAnswer(answer, req, 'the function');
    expect(outcome).toEqual({ status: 'FAILED', error: expect.any(ConfigurationError) });
    expect((outcome as { error: Error }).error.message).toMatch(message);
  });
});
