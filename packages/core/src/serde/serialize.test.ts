import { describe, expect, it } from 'vitest';
import {
  DurableError,
  isDurableError,
  NonDeterminismError,
  PayloadTooLargeError,
  SerializationError,
  StepTimeoutError,
  StoreUnavailableError,
} from '../errors.js';
import { hashSerialized } from '../journal/hash.js';
import { describeError, deserialize, serialize, serializeBounded, serializeError } from './serialize.js';

/** The value as it comes back from the journal. */
function roundTrip<T>(value: T): T {
  return deserialize<T>(serialize(value, 'the test value'));
}

/** What `work` throws; fails the test if it returns. */
function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it returned');
}

/** The SerializationError `serialize(value, what)` throws. */
function serializationErrorOf(value: unknown, what = "the result of step 'charge'"): SerializationError {
  const error = thrownBy(() => serialize(value, what));
  expect(error).toBeInstanceOf(SerializationError);
  return error as SerializationError;
}

describe('serialize / deserialize', () => {
  it('round-trips JSON values unchanged', () => {
    const value = { s: 'text ü 😀', n: 42.5, t: true, f: false, nil: null, list: [1, 'two', { three: 3 }], empty: {} };

    expect(roundTrip(value)).toEqual(value);
    expect(roundTrip('plain')).toBe('plain');
    expect(roundTrip(0)).toBe(0);
    expect(roundTrip(null)).toBeNull();
  });

  describe('Date', () => {
    it('comes back as a Date at the same instant', () => {
      const date = new Date('2025-03-04T05:06:07.089Z');

      const back = roundTrip({ at: date });

      expect(back.at).toBeInstanceOf(Date);
      expect(back.at.toISOString()).toBe('2025-03-04T05:06:07.089Z');
    });

    it('keeps an invalid Date invalid', () => {
      const back = roundTrip(new Date('not a date'));

      expect(back).toBeInstanceOf(Date);
      expect(Number.isNaN(back.getTime())).toBe(true);
    });
  });

  it('round-trips BigInt, beyond the range of a number', () => {
    const big = 2n ** 100n + 1n;

    expect(roundTrip(big)).toBe(big);
    expect(roundTrip({ amount: -123n })).toEqual({ amount: -123n });
  });

  it('round-trips a Map with keys that are not strings, in insertion order', () => {
    const objectKey = { id: 7 };
    const map = new Map<unknown, unknown>([
      [1, 'one'],
      ['1', 'string one'],
      [objectKey, { nested: true }],
      [new Date(0), 'epoch'],
      [null, undefined],
    ]);

    const back = roundTrip(map);

    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual([1, '1', { id: 7 }, new Date(0), null]);
    expect(back.get(1)).toBe('one');
    expect(back.get('1')).toBe('string one');
    expect([...back.values()]).toEqual(['one', 'string one', { nested: true }, 'epoch', undefined]);
  });

  it('round-trips a Set', () => {
    const back = roundTrip(new Set([1, 'a', 2n, { b: 1 }]));

    expect(back).toBeInstanceOf(Set);
    expect([...back]).toEqual([1, 'a', 2n, { b: 1 }]);
  });

  describe('undefined', () => {
    it('at the top level', () => {
      expect(roundTrip(undefined)).toBeUndefined();
    });

    it('as an object field, which stays present', () => {
      const back = roundTrip({ a: undefined, b: 1 });

      expect(Object.keys(back)).toEqual(['a', 'b']);
      expect(back.a).toBeUndefined();
    });

    it('in an array, keeping its place', () => {
      const back = roundTrip([1, undefined, 3]);

      expect(back).toHaveLength(3);
      expect(back).toEqual([1, undefined, 3]);
    });
  });

  it('round-trips NaN, Infinity, -Infinity and -0', () => {
    const back = roundTrip([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0]);

    expect(Number.isNaN(back[0])).toBe(true);
    expect(back[1]).toBe(Number.POSITIVE_INFINITY);
    expect(back[2]).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(back[3], -0)).toBe(true);
    expect(Object.is(back[4], 0)).toBe(true);
  });

  describe('binary data', () => {
    it('round-trips a Uint8Array as a Uint8Array', () => {
      const back = roundTrip(new Uint8Array([0, 1, 127, 128, 255]));

      expect(back).toBeInstanceOf(Uint8Array);
      expect(Buffer.isBuffer(back)).toBe(false);
      expect([...back]).toEqual([0, 1, 127, 128, 255]);
    });

    it('round-trips only the viewed bytes of a Uint8Array over a larger buffer', () => {
      const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);

      expect([...roundTrip(view)]).toEqual([1, 2, 3]);
    });

    it('round-trips a Buffer as a Buffer', () => {
      const back = roundTrip(Buffer.from('héllo, wörld'));

      expect(Buffer.isBuffer(back)).toBe(true);
      expect(back.toString()).toBe('héllo, wörld');
    });

    it('round-trips a Float64Array, views included', () => {
      const values = [1.5, -0, Number.NaN, Number.MAX_VALUE, Number.MIN_VALUE];
      const back = roundTrip(new Float64Array(values));
      const view = roundTrip(new Float64Array([7, 8, 9, 10]).subarray(1, 3));

      expect(back).toBeInstanceOf(Float64Array);
      expect([...back]).toEqual(values);
      expect(Object.is(back[1], -0)).toBe(true);
      expect(view).toBeInstanceOf(Float64Array);
      expect([...view]).toEqual([8, 9]);
    });

    it('round-trips other typed arrays and an ArrayBuffer', () => {
      const ints = roundTrip(new BigInt64Array([-1n, 2n ** 62n]));
      const buffer = roundTrip(new Uint8Array([4, 5, 6]).buffer);

      expect(ints).toBeInstanceOf(BigInt64Array);
      expect([...ints]).toEqual([-1n, 2n ** 62n]);
      expect(buffer).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(buffer)]).toEqual([4, 5, 6]);
    });
  });

  it('round-trips a RegExp with its flags', () => {
    const back = roundTrip(/a+b/gi);

    expect(back).toBeInstanceOf(RegExp);
    expect(back.source).toBe('a+b');
    expect(back.flags).toBe('gi');
  });

  describe('errors', () => {
    const sig = { kind: 'step', name: 'charge', argsHash: 'a1' } as const;

    it('keep name, message, stack, code, cause and own fields, nested', () => {
      const rootCause = Object.assign(new Error('connection reset'), { code: 'ECONNRESET', errno: -104 });
      const error = Object.assign(new Error('payment failed', { cause: rootCause }), {
        name: 'PaymentError',
        code: 'CARD_DECLINED',
        statusCode: 402,
        details: { retryAt: new Date(0), tags: new Set(['card']) },
      });

      const back = roundTrip({ failure: error }).failure;

      expect(back).toBeInstanceOf(Error);
      expect(back.name).toBe('PaymentError');
      expect(back.message).toBe('payment failed');
      expect(back.stack).toBe(error.stack);
      expect(back.code).toBe('CARD_DECLINED');
      expect(back.statusCode).toBe(402);
      expect(back.details.retryAt).toEqual(new Date(0));
      expect(back.details.tags).toEqual(new Set(['card']));
      const cause = back.cause as typeof rootCause;
      expect(cause).toBeInstanceOf(Error);
      expect(cause.message).toBe('connection reset');
      expect(cause.code).toBe('ECONNRESET');
      expect(cause.errno).toBe(-104);
      expect(cause.stack).toBe(rootCause.stack);
    });

    it('come back as their built-in class', () => {
      const back = roundTrip([new TypeError('x is not a function'), new RangeError('too big')]);

      expect(back[0]).toBeInstanceOf(TypeError);
      expect(back[0]?.name).toBe('TypeError');
      expect(back[0]?.message).toBe('x is not a function');
      expect(back[1]).toBeInstanceOf(RangeError);
    });

    it("come back as this package's classes, with their code and fields", () => {
      const back = roundTrip(new StepTimeoutError('charge', 5_000));

      expect(back).toBeInstanceOf(StepTimeoutError);
      expect(back).toBeInstanceOf(DurableError);
      expect(back).toBeInstanceOf(Error);
      expect(back).not.toBeInstanceOf(SerializationError);
      expect(back.code).toBe('STEP_TIMEOUT');
      expect(back.name).toBe('StepTimeoutError');
      expect(back.message).toBe("Step 'charge' did not finish within its timeout of 5000 ms.");
      expect(back.stepName).toBe('charge');
      expect(back.timeoutMs).toBe(5_000);
      expect(back.retryable).toBe(true);
    });

    it('keep the structured fields of a NonDeterminismError', () => {
      const recorded = { kind: 'step', name: 'charge', argsHash: 'a1' } as const;
      const back = roundTrip(new NonDeterminismError('3', recorded, null));

      expect(back).toBeInstanceOf(NonDeterminismError);
      expect(back.position).toBe('3');
      expect(back.recorded).toEqual(recorded);
      expect(back.actual).toBeNull();
    });

    it('named like a class of this package but with another code stay plain errors', () => {
      const impostor = Object.assign(new Error('not ours'), { name: 'StepTimeoutError', code: 'E_OTHER' });

      const back = roundTrip(impostor);

      expect(back).not.toBeInstanceOf(StepTimeoutError);
      expect(back).not.toBeInstanceOf(DurableError);
      expect(back.name).toBe('StepTimeoutError');
      expect(back.code).toBe('E_OTHER');
    });

    it('with an own field named $t come back with that field', () => {
      const error = Object.assign(new Error('odd'), { $t: 'Date', v: 'not a date' });

      const back = deserialize<typeof error>(serializeError(error));

      expect(back).toBeInstanceOf(Error);
      expect(back.message).toBe('odd');
      expect(back.$t).toBe('Date');
      expect(back.v).toBe('not a date');
    });

    it('record a long message once, not again at the top of the stack, and read the stack back whole', () => {
      const error = new Error('x'.repeat(1_000_000));

      const text = serializeError(error);
      const inValue = serialize({ failure: error }, 'x');
      const back = deserialize<Error>(text);

      expect(text.length).toBeLessThan(1_000_000 + 10_000);
      expect(inValue.length).toBeLessThan(1_000_000 + 10_000);
      expect(back.message).toBe(error.message);
      expect(back.stack).toBe(error.stack);
      expect(deserialize<{ failure: Error }>(inValue).failure.stack).toBe(error.stack);
    });

    it('keep a stack that does not start with the message, and read records of earlier versions', () => {
      const changed = new Error('first');
      changed.message = 'second';
      const earlier = JSON.stringify({
        $t: 'Error',
        v: { name: 'Error', message: 'm', fields: {}, stack: 'Error: m\n    at old (a.ts:1:1)' },
      });

      expect(deserialize<Error>(serializeError(changed)).stack).toBe(changed.stack);
      expect(deserialize<Error>(earlier).stack).toBe('Error: m\n    at old (a.ts:1:1)');
    });

    it('from outside (foreignErrors) never come back as instances of this package', () => {
      const forged = { failure: new StoreUnavailableError('claim'), nested: [new NonDeterminismError('1', sig, null)] };

      const back = deserialize<typeof forged>(serialize(forged, 'x', { foreignErrors: true }));

      expect(back.failure).toBeInstanceOf(Error);
      expect(back.failure).not.toBeInstanceOf(StoreUnavailableError);
      expect(isDurableError(back.failure)).toBe(false);
      expect(back.failure.code).toBe('STORE_UNAVAILABLE');
      expect(back.failure.name).toBe('StoreUnavailableError');
      expect(back.nested[0]).not.toBeInstanceOf(NonDeterminismError);
      expect(isDurableError(back.nested[0])).toBe(false);
    });
  });

  it('keeps plain objects that have a $t key as they are', () => {
    const value = { $t: 'Date', v: '2025-01-01T00:00:00.000Z', nested: { $t: 'undefined' }, list: [{ $t: 'x' }] };

    const back = roundTrip(value);

    expect(back).toEqual(value);
    expect(back.nested).toEqual({ $t: 'undefined' });
  });

  it('keeps an own __proto__ key as data, without changing the prototype', () => {
    const value = JSON.parse('{"__proto__":{"isAdmin":true},"name":"eve"}') as Record<string, unknown>;

    const back = roundTrip(value);

    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'name']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ isAdmin: true });
    expect((back as { isAdmin?: unknown }).isAdmin).toBeUndefined();
  });

  it('records class instances as their own fields; they come back as plain objects', () => {
    class Money {
      constructor(
        readonly amount: number,
        readonly currency: string,
      ) {}
      format(): string {
        return `${this.amount} ${this.currency}`;
      }
    }

    const back = roundTrip({ price: new Money(5, 'EUR') });

    expect(back.price).toEqual({ amount: 5, currency: 'EUR' });
    expect(back.price).not.toBeInstanceOf(Money);
    expect(Object.getPrototypeOf(back.price)).toBe(Object.prototype);
  });

  it('uses toJSON when a value has one', () => {
    class Id {
      constructor(private readonly raw: string) {}
      toJSON(): string {
        return `id:${this.raw}`;
      }
    }

    expect(roundTrip({ id: new Id('42') })).toEqual({ id: 'id:42' });
    expect(roundTrip({ toJSON: () => ({ replaced: new Date(0) }) })).toEqual({ replaced: new Date(0) });
  });

  it('accepts shared references that are not cycles', () => {
    const shared = { sku: 'A-1' };
    const value = { first: shared, second: shared, all: [shared, shared], byKey: new Map([['k', shared]]) };

    const back = roundTrip(value);

    expect(back).toEqual(value);
    expect(back.first).toEqual({ sku: 'A-1' });
    expect(back.all).toEqual([{ sku: 'A-1' }, { sku: 'A-1' }]);
  });

  it('accepts nesting up to 512 levels', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 500; i++) deep = [deep];

    expect(roundTrip(deep)).toEqual(deep);
  });

  describe('refuses what the journal cannot hold, with a SerializationError naming it and its path', () => {
    it('a function', () => {
      const error = serializationErrorOf({ a: { b: [1, function charge() {}] } });

      expect(error.code).toBe('SERIALIZATION');
      expect(error.what).toBe("the result of step 'charge'");
      expect(error.path).toBe('$.a.b[1]');
      expect(error.message).toContain("the result of step 'charge'");
      expect(error.message).toContain('$.a.b[1]');
      expect(error.message).toContain('function');
      expect(error.retryable).toBe(false);
    });

    it('a symbol', () => {
      const error = serializationErrorOf({ tag: Symbol('secret') }, 'the input of workflow checkout');

      expect(error.code).toBe('SERIALIZATION');
      expect(error.path).toBe('$.tag');
      expect(error.message).toContain('the input of workflow checkout');
      expect(error.message).toContain('symbol');
    });

    it('a promise, suggesting a missing await', () => {
      const error = serializationErrorOf({ pending: Promise.resolve(1) });

      expect(error.path).toBe('$.pending');
      expect(error.message).toContain('Promise');
      expect(error.message).toContain('await');
    });

    it('a cycle', () => {
      const order: Record<string, unknown> = { id: 'o-1' };
      order.items = [{ order }];

      const error = serializationErrorOf(order);

      expect(error.code).toBe('SERIALIZATION');
      expect(error.path).toBe('$.items[0].order');
      expect(error.message).toContain('cycle');
    });

    it('nesting deeper than 512 levels', () => {
      let deep: unknown = 'bottom';
      for (let i = 0; i < 600; i++) deep = { next: deep };

      const error = serializationErrorOf(deep);

      expect(error.code).toBe('SERIALIZATION');
      expect(error.message).toContain('512');
      expect(error.path.startsWith('$.next.next')).toBe(true);
    });

    it('inside Map and Set entries', () => {
      expect(serializationErrorOf(new Map([['k', () => 1]])).path).toContain('$.');
      expect(serializationErrorOf({ s: new Set([Symbol('x')]) }).path).toContain('$.s');
    });
  });

  describe('canonical', () => {
    it('gives equal text for objects with the same keys in another order, at every depth', () => {
      const a = { b: 1, a: { y: [{ q: 1, p: 2 }], x: 2 }, c: new Map([['m', { z: 1, y: 2 }]]) };
      const b = { c: new Map([['m', { y: 2, z: 1 }]]), a: { x: 2, y: [{ p: 2, q: 1 }] }, b: 1 };

      expect(serialize(a, 'a', { canonical: true })).toBe(serialize(b, 'b', { canonical: true }));
      expect(serialize(a, 'a')).not.toBe(serialize(b, 'b'));
    });

    it('still tells different values apart', () => {
      expect(serialize({ a: 1 }, 'x', { canonical: true })).not.toBe(serialize({ a: 2 }, 'x', { canonical: true }));
      expect(serialize([1, 2], 'x', { canonical: true })).not.toBe(serialize([2, 1], 'x', { canonical: true }));
    });

    it('reads back like any other text', () => {
      const value = { b: [1n, undefined], a: new Date(5) };

      expect(deserialize(serialize(value, 'x', { canonical: true }))).toEqual(value);
    });

    it('gives equal text for JSON-equal values: a field holding undefined and no field, 0 and -0', () => {
      const canonical = (value: unknown) => serialize(value, 'x', { canonical: true });

      expect(canonical({ a: 1, b: undefined })).toBe(canonical({ a: 1 }));
      expect(canonical([{ order: { id: 'o-1', coupon: undefined } }])).toBe(canonical([{ order: { id: 'o-1' } }]));
      expect(canonical({ b: undefined })).toBe(canonical({}));
      expect(canonical(-0)).toBe(canonical(0));
      expect(canonical({ cents: -0, list: [-0], byKey: new Map([['k', -0]]) })).toBe(
        canonical({ cents: 0, list: [0], byKey: new Map([['k', 0]]) }),
      );
    });

    it('still tells apart what JSON tells apart, and the journal keeps undefined fields and -0', () => {
      const canonical = (value: unknown) => serialize(value, 'x', { canonical: true });

      expect(canonical({ b: null })).not.toBe(canonical({}));
      expect(canonical([undefined])).not.toBe(canonical([]));
      expect(canonical(0)).not.toBe(canonical(1));
      expect(Object.keys(roundTrip({ b: undefined }))).toEqual(['b']);
      expect(Object.is(roundTrip(-0), -0)).toBe(true);
    });

    it('hashes every other value exactly as before, so recorded journals still replay', () => {
      // Computed with the serializer of the commit before this rule (git show 40cb919:packages/core/src/serde/serialize.ts).
      const error = Object.assign(new TypeError('boom', { cause: 'the cause' }), { code: 'E_BOOM', detail: { n: 1 } });
      error.stack = 'TypeError: boom\n    at charge (orders.ts:12:5)';
      const pinned: [unknown[], string][] = [
        [['text ü 😀'], 'w2EGqMT3VG80SD2GkkB0o4'],
        [[42, 1.5, -7, 0, true, false, null], '2G9RECXrZqCJ5UqUMksh55'],
        [[{ b: 1, a: { y: [{ q: 1, p: 2 }], x: 'two' } }], 'Cp7vYhqhKjY1hg2i0WPjlO'],
        [[[1, undefined, 3]], 'V8a5fol_GZ46gy7OpJ4POL'],
        [
          [{ at: new Date(0), big: 2n ** 70n, nan: Number.NaN, inf: Number.NEGATIVE_INFINITY }],
          'tmlRUm62bgVV3YtzRT0q51',
        ],
        [
          [
            new Map<unknown, unknown>([
              ['k', new Set([1, 'a'])],
              [2, { z: 1 }],
            ]),
            new Uint8Array([1, 2, 255]),
          ],
          'pxWv5w6GY9GDB-Z2QQI5Hk',
        ],
        [[{ $t: 'Date', v: 'x', list: [{ $t: 'undefined' }] }], 'cer7RJG9Jydzbf-RAkilmz'],
        [[], 'T1PNoYwrqgwDVLtfmj7L5e'],
        [[error], 'VEQ_yhpD2UmyCpucZFThAX'],
        [[/a+b/gi, new Float64Array([1.5, 2]), { toJSON: () => ({ id: 7 }) }], 'cTnCXJT7a6r285qQZIfVST'],
      ];

      for (const [args, hash] of pinned) {
        const text = serialize(args, 'the arguments', { canonical: true });
        expect(hashSerialized(text), text).toBe(hash);
      }
    });
  });
});

describe('serializeError', () => {
  it('records an error that deserializes as that error', () => {
    const back = deserialize<TypeError>(serializeError(new TypeError('bad input')));

    expect(back).toBeInstanceOf(TypeError);
    expect(back.message).toBe('bad input');
  });

  it('never throws: fields that cannot be recorded are left out, the error survives', () => {
    const error = new Error('socket closed') as Error & Record<string, unknown>;
    error.self = error;
    error.callback = () => undefined;
    error.token = Symbol('t');
    error.retryAfterMs = 250;

    const back = deserialize<Error & Record<string, unknown>>(serializeError(error));

    expect(back).toBeInstanceOf(Error);
    expect(back.message).toBe('socket closed');
    expect(back.retryAfterMs).toBe(250);
    expect(back.callback).toBeUndefined();
    expect(back.token).toBeUndefined();
  });

  it('never throws on a cyclic cause', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.defineProperty(first, 'cause', { value: second, configurable: true });

    const back = deserialize<Error>(serializeError(first));

    expect(back.message).toBe('first');
    expect((back.cause as Error).message).toBe('second');
  });

  it('wraps thrown values that are not errors', () => {
    const fromString = deserialize<Error>(serializeError('plain text'));
    const fromObject = deserialize<Error & { thrown: unknown }>(serializeError({ reason: 'nope' }));
    const fromBigInt = deserialize<Error>(serializeError(10n));
    const fromUndefined = deserialize<Error>(serializeError(undefined));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const fromCycle = deserialize<Error>(serializeError(cyclic));

    expect(fromString).toBeInstanceOf(Error);
    expect(fromString.message).toBe('plain text');
    expect(fromObject.message).toBe('{"reason":"nope"}');
    expect(fromObject.thrown).toEqual({ reason: 'nope' });
    expect(fromBigInt.message).toBe('10');
    expect(fromUndefined.message).toBe('undefined');
    expect(fromCycle).toBeInstanceOf(Error);
  });

  describe('with maxBytes', () => {
    it('returns the same text when the error fits', () => {
      const error = new TypeError('bad input');

      expect(serializeError(error, 10_000)).toBe(serializeError(error));
    });

    it('cuts a message too long, escapes and multi-byte characters included, to fit every limit', () => {
      const error = new RangeError(`"quoted"\n\u0001 é 😀 ${'long '.repeat(600_000)}`);
      const size = Buffer.byteLength(serializeError(error));

      for (const maxBytes of [400, 1_000, 4_096, 65_536, 1_048_576]) {
        const text = serializeError(error, maxBytes);
        const back = deserialize<RangeError & { originalSizeBytes: number }>(text);

        expect(Buffer.byteLength(text), `limit ${maxBytes}`).toBeLessThanOrEqual(maxBytes);
        expect(back).toBeInstanceOf(RangeError);
        expect(back.originalSizeBytes).toBe(size);
        expect(back.message.startsWith('"quoted"\n\u0001 é 😀 long')).toBe(true);
        expect(back.message).toContain(`this error was ${size} bytes serialized, over the limit of ${maxBytes}`);
        expect(back.stack?.startsWith('RangeError: "quoted"')).toBe(true);
      }
    });

    it("keeps the class, code and retryable of this package's errors, and leaves out what does not fit", () => {
      const error = Object.assign(new StoreUnavailableError('claim'), { response: 'r'.repeat(100_000), small: 7 });

      const text = serializeError(error, 8_192);
      const back = deserialize<StoreUnavailableError & Record<string, unknown>>(text);

      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(8_192);
      expect(back).toBeInstanceOf(StoreUnavailableError);
      expect(back.code).toBe('STORE_UNAVAILABLE');
      expect(back.retryable).toBe(true);
      expect(back.message).toBe(error.message);
      expect(back.stack).toBe(error.stack);
      expect(back.small).toBe(7);
      expect(back.response).toBeUndefined();
      expect(back.originalSizeBytes).toBeGreaterThan(100_000);
    });

    it('never throws, not even for an unreadable throwable or a limit nothing fits in', () => {
      const hostile = new Proxy(new Error('x'), {
        get() {
          throw new Error('no reading me');
        },
        ownKeys() {
          throw new Error('no listing me');
        },
      });
      const huge = new Error('m'.repeat(10_000));

      expect(deserialize<Error>(serializeError(hostile, 1_000))).toBeInstanceOf(Error);
      expect(deserialize<Error>(serializeError(huge, 10))).toBeInstanceOf(Error);
      expect(deserialize<Error>(serializeError(huge, 10)).message).toBe('');
    });
  });
});

describe('describeError', () => {
  it('reports name, message, code and own fields as plain data, nested errors included', () => {
    const cause = new NonDeterminismError('2', { kind: 'step', name: 'a', argsHash: 'h' }, null);
    const error = Object.assign(new StoreUnavailableError('claim', { cause }), {
      inner: new StepTimeoutError('charge', 5),
      at: new Date(0),
    });

    const reported = describeError(error);

    expect(reported).toEqual({
      name: 'StoreUnavailableError',
      message: error.message,
      code: 'STORE_UNAVAILABLE',
      fields: {
        retryable: true,
        inner: {
          name: 'StepTimeoutError',
          message: "Step 'charge' did not finish within its timeout of 5 ms.",
          code: 'STEP_TIMEOUT',
          fields: { retryable: true, stepName: 'charge', timeoutMs: 5 },
        },
        at: new Date(0),
      },
      cause: expect.objectContaining({ name: 'NonDeterminismError', code: 'NON_DETERMINISM' }),
    });
    expect(reported.fields.inner).not.toBeInstanceOf(Error);
    expect(reported.cause).not.toBeInstanceOf(Error);
  });

  it('describes what is not an error, and keeps a code that is no string or number among the fields', () => {
    expect(describeError('plain text')).toMatchObject({ name: 'Error', message: 'plain text' });
    expect(describeError(Object.assign(new Error('x'), { code: { nested: 1 } }))).toEqual({
      name: 'Error',
      message: 'x',
      fields: { code: { nested: 1 } },
    });
  });
});

describe('serializeBounded', () => {
  it('returns the text when it is within the limit', () => {
    const text = serializeBounded({ ok: true }, 'the output', 1_000);

    expect(deserialize(text)).toEqual({ ok: true });
  });

  it('throws PayloadTooLargeError over the limit, counting bytes, not characters', () => {
    const value = 'é'.repeat(10); // 12 characters serialized, 22 bytes

    const error = thrownBy(() => serializeBounded(value, "the result of step 'export'", 20));

    expect(error).toBeInstanceOf(PayloadTooLargeError);
    const tooLarge = error as PayloadTooLargeError;
    expect(tooLarge.code).toBe('PAYLOAD_TOO_LARGE');
    expect(tooLarge.sizeBytes).toBe(22);
    expect(tooLarge.maxBytes).toBe(20);
    expect(tooLarge.retryable).toBe(false);
    expect(tooLarge.message).toContain("the result of step 'export'");
    expect(serializeBounded(value, 'x', 22)).toBe(serialize(value, 'x'));
  });

  it('still refuses unserializable values with a SerializationError', () => {
    expect(thrownBy(() => serializeBounded({ f: () => 1 }, 'x', 1_000_000))).toBeInstanceOf(SerializationError);
  });
});
