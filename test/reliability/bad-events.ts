import fc from 'fast-check';
import { MAX_EXTERNAL_ID_LENGTH } from '../../packages/core/src/index.js';

/**
 * fast-check arbitraries for the bad-input suite: events a handler must refuse
 * with a typed error, each tagged with the category it belongs to and the
 * error code that category must give; and the odd-but-valid Unicode that must
 * round-trip exactly.
 */

/** A bad event, what it is, and the code of the error it must give. */
export interface BadCase {
  category: string;
  code: string;
  /** Which handler gets it: `small` has a 64 KiB payload limit, so oversized cases stay cheap. */
  handler: 'standard' | 'small';
  event: unknown;
}

/** The fuzz service's workflows: two, so an event that names none is refused. */
export const WORKFLOWS = ['echo', 'other'] as const;
/** Seeded in the table before the cases run: a SUCCEEDED execution of `echo` with this input. */
export const SEEDED = { executionId: 'seeded-execution', input: { seeded: true } };
export const SMALL_PAYLOAD_BYTES = 64 * 1024;

/** Keys that make parseEvent read an object as one kind of event or another. */
const DISPATCH_KEYS = ['executionId', 'workflow', 'input', 'Records', 'requestContext', 'detail-type'];

// ---- odd Unicode -------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.constant('\u007f'),
);
/** Well-formed oddities: direction marks and overrides, joiners, BOM, combining marks, C1 controls, emoji sequences. */
const oddButWellFormed = fc.constantFrom(
  '\u200f',
  '\u202e',
  '\u2066',
  '\u200d',
  '\u200b',
  '\ufeff',
  '\u0301\u0301',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  'עברית',
  'العربية',
  '👩🏽‍🚀',
  '🏳️‍🌈',
  '🇫🇷',
  '𝕏',
  '\u{10ffff}',
  '\ufffd',
  'ǅ',
  'ß',
  'İ',
);
/** Units of strings that are valid values but odd: any code point, lone surrogates, control characters. */
const oddValueUnit = fc.oneof(
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 2 },
  { arbitrary: oddButWellFormed, weight: 2 },
  { arbitrary: loneSurrogate, weight: 1 },
  { arbitrary: controlChar, weight: 1 },
);
export const oddString = fc.string({ unit: oddValueUnit, maxLength: 24 });

/** JSON values whose strings and keys are odd Unicode, lone surrogates and control characters included. */
export const oddJsonValue = fc.jsonValue({ stringUnit: oddValueUnit, maxDepth: 4 });

/**
 * The parser's rule for an id that starts an execution (handler/events.ts): 1..MAX_EXTERNAL_ID_LENGTH UTF-16
 * units, well-formed, no C0 control or DEL, and no '/' (kept for child executions).
 */
const isValidId = (id: string): boolean =>
  id.length > 0 &&
  id.length <= MAX_EXTERNAL_ID_LENGTH &&
  id.isWellFormed() &&
  !id.includes('/') &&
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what ids must not have
  !/[\u0000-\u001f\u007f]/.test(id);

/**
 * Execution ids that are valid however odd: graphemes, RTL text, joiners, emoji, C1 controls. At most 200
 * units, so a prefix or suffix added by a case keeps them valid.
 */
export const oddValidId = fc
  .string({
    unit: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), oddButWellFormed),
    minLength: 1,
    maxLength: 40,
  })
  .filter((id) => id.length <= 200 && isValidId(id));

/** Ids the parser must refuse: empty, too long, or with a lone surrogate or a control character in them. */
const badId = fc.oneof(
  fc.constant(''),
  fc
    .tuple(oddValidId, fc.integer({ min: MAX_EXTERNAL_ID_LENGTH + 1, max: 2_000 }))
    .map(([id, length]) => id.repeat(length).slice(0, length)),
  fc
    .tuple(oddValidId, fc.oneof(loneSurrogate, controlChar), fc.nat())
    .map(([id, bad, at]) => {
      const cut = at % (id.length + 1);
      return `${id.slice(0, cut)}${bad}${id.slice(cut)}`;
    })
    .filter((id) => !isValidId(id)),
);

/** Anything JSON can carry that is not a string. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
);
const notJson = fc.string({ unit: oddValueUnit, maxLength: 30 }).filter((text) => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
});
const unknownWorkflowName = oddString.filter((name) => name !== '' && !(WORKFLOWS as readonly string[]).includes(name));

const hasDispatchKey = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && DISPATCH_KEYS.some((key) => key in value);

// ---- values that cannot be recorded -------------------------------------------------

/** A fresh unrecordable value of each kind (fresh per case: cycles must not be shared). */
const unrecordable = fc.constantFrom(
  'function',
  'symbol',
  'promise',
  'thenable',
  'weakmap',
  'weakset',
  'weakref',
  'dataview',
  'cycle-object',
  'cycle-array',
  'cycle-map',
  'cycle-set',
  'cycle-deep',
  'throwing-getter',
  'throwing-toJSON',
  'revoked-proxy',
);

function buildUnrecordable(kind: string): unknown {
  switch (kind) {
    case 'function':
      return () => 'not data';
    case 'symbol':
      return Symbol('not data');
    case 'promise':
      return new Promise<never>(() => {});
    case 'thenable':
      // biome-ignore lint/suspicious/noThenProperty: a thenable is exactly the unrecordable value wanted here
      return { then: () => {} };
    case 'weakmap':
      return new WeakMap();
    case 'weakset':
      return new WeakSet();
    case 'weakref':
      return new WeakRef({});
    case 'dataview':
      return new DataView(new ArrayBuffer(4));
    case 'cycle-object': {
      const node: Record<string, unknown> = { name: 'loop' };
      node.self = node;
      return node;
    }
    case 'cycle-array': {
      const list: unknown[] = [1, 2];
      list.push(list);
      return list;
    }
    case 'cycle-map': {
      const map = new Map<string, unknown>();
      map.set('me', map);
      return map;
    }
    case 'cycle-set': {
      const set = new Set<unknown>();
      set.add({ inner: set });
      return set;
    }
    case 'cycle-deep': {
      const top: Record<string, unknown> = {};
      top.a = { b: { c: [{ d: top }] } };
      return top;
    }
    case 'throwing-getter':
      return Object.defineProperty({}, 'balance', {
        enumerable: true,
        get: () => {
          throw new TypeError('the balance is not loaded');
        },
      });
    case 'throwing-toJSON':
      return {
        toJSON: () => {
          throw new RangeError('cannot convert');
        },
      };
    default: {
      const revocable = Proxy.revocable({}, {});
      revocable.revoke();
      return revocable.proxy;
    }
  }
}

/** Puts `value` at the end of `path` (object keys and array positions) inside otherwise ordinary JSON. */
function nestAt(value: unknown, path: Array<string | number>, filler: unknown): unknown {
  let nested = value;
  for (const step of [...path].reverse()) {
    if (typeof step === 'number') {
      const list: unknown[] = [filler, filler];
      list.splice(step % 3, 0, nested);
      nested = list;
    } else {
      nested = Object.defineProperty({ filler }, step, { value: nested, enumerable: true });
    }
  }
  return nested;
}

const path = fc.array(fc.oneof(fc.string({ maxLength: 6 }), fc.nat(5)), { maxLength: 5 });

function deeplyNested(depth: number, asObjects: boolean, key: string): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = asObjects ? { [key]: value } : [value];
  return value;
}

// ---- the cases ----------------------------------------------------------------

const explicit = (executionId: unknown, workflow: unknown, input: unknown): Record<string, unknown> => ({
  executionId,
  workflow,
  input,
});
const bad = (category: string, code: string, event: unknown, handler: BadCase['handler'] = 'standard'): BadCase => ({
  category,
  code,
  handler,
  event,
});

const randomJsonEvent = fc
  .jsonValue()
  .filter((value) => !hasDispatchKey(value))
  .map((event) => bad('random JSON value', 'INVALID_EVENT', event));

const randomKeysEvent = fc
  .dictionary(oddString, oddJsonValue, { maxKeys: 6 })
  .filter((value) => !hasDispatchKey(value))
  .map((event) => bad('object with random keys', 'INVALID_EVENT', event));

const wrongTypes = fc.oneof(
  fc
    .tuple(fc.oneof(notAString, fc.constant('')), oddJsonValue)
    .map(([id, input]) => bad('wrong type: executionId', 'INVALID_EVENT', explicit(id, 'echo', input))),
  fc
    .tuple(oddValidId, fc.oneof(notAString, fc.constant('')), oddJsonValue)
    .map(([id, workflow, input]) => bad('wrong type: workflow', 'INVALID_EVENT', explicit(id, workflow, input))),
  fc
    .tuple(
      oddValidId,
      oddString.filter((key) => !DISPATCH_KEYS.includes(key)),
      oddJsonValue,
    )
    .map(([id, key, extra]) => bad('unexpected key', 'INVALID_EVENT', { ...explicit(id, 'echo', {}), [key]: extra })),
  fc.constantFrom(...WORKFLOWS).map((workflow) => bad('no id, no input', 'INVALID_EVENT', { workflow })),
);

const badIdEvent = fc
  .tuple(badId, oddJsonValue)
  .map(([id, input]) => bad('bad execution id', 'INVALID_EVENT', explicit(id, 'echo', input)));

const eventBridge = (id: unknown, detail: unknown) => ({
  version: '0',
  id,
  'detail-type': 'Order Placed',
  source: 'fuzz.orders',
  detail,
});
const sqs = (records: unknown) => ({ Records: records });
const sqsRecord = (messageId: unknown, body: unknown) => ({ messageId, body, eventSource: 'aws:sqs' });
const api = (requestId: unknown, body: unknown) => ({ requestContext: { requestId }, headers: {}, body });

const wrongEnvelopes = fc.oneof(
  fc
    .tuple(fc.oneof(notAString, badId), oddJsonValue)
    .map(([id, detail]) => bad('EventBridge: bad id', 'INVALID_EVENT', eventBridge(id, detail))),
  fc
    .array(fc.tuple(oddValidId, fc.jsonValue()), { minLength: 2, maxLength: 4 })
    .map((records) =>
      bad(
        'SQS: several records',
        'INVALID_EVENT',
        sqs(records.map(([id, body]) => sqsRecord(id, JSON.stringify(body)))),
      ),
    ),
  fc.constant(bad('SQS: no record', 'INVALID_EVENT', sqs([]))),
  fc
    .oneof(notAString, fc.constant(undefined))
    .map((body) => bad('SQS: body not a string', 'INVALID_EVENT', sqs([sqsRecord('m-1', body)]))),
  fc
    .tuple(oddValidId, notJson)
    .map(([id, body]) => bad('SQS: body not JSON', 'INVALID_EVENT', sqs([sqsRecord(id, body)]))),
  fc
    .tuple(fc.oneof(notAString, badId), fc.jsonValue())
    .map(([id, body]) => bad('SQS: bad messageId', 'INVALID_EVENT', sqs([sqsRecord(id, JSON.stringify(body))]))),
  fc
    .tuple(fc.oneof(notAString, badId), fc.jsonValue())
    .map(([id, body]) => bad('API: bad requestId', 'INVALID_EVENT', api(id, JSON.stringify(body)))),
  fc.tuple(oddValidId, notJson).map(([id, body]) => bad('API: body not JSON', 'INVALID_EVENT', api(id, body))),
);

/** Well-formed envelopes name no workflow, and the fuzz service has two: refused before anything is written. */
const envelopeWithoutWorkflow = fc
  .tuple(oddValidId, oddJsonValue, fc.constantFrom('eventbridge', 'sqs', 'api'))
  .map(([id, value, kind]) => {
    const event =
      kind === 'eventbridge'
        ? eventBridge(id, value)
        : kind === 'sqs'
          ? sqs([sqsRecord(id, JSON.stringify(value))])
          : api(id, JSON.stringify(value));
    return bad(`${kind} envelope, service of two workflows`, 'UNKNOWN_WORKFLOW', event);
  });

const unknownWorkflow = fc.oneof(
  fc
    .tuple(oddValidId, unknownWorkflowName, oddJsonValue)
    .map(([id, workflow, input]) => bad('unknown workflow', 'UNKNOWN_WORKFLOW', explicit(id, workflow, input))),
  fc
    .tuple(oddValidId, oddJsonValue)
    .map(([id, input]) => bad('no workflow named', 'UNKNOWN_WORKFLOW', { executionId: id, input })),
);

const unrecordableInput = fc
  .tuple(oddValidId, unrecordable, path, fc.jsonValue({ maxDepth: 2 }))
  .map(([id, kind, at, filler]) =>
    bad(
      `unrecordable input: ${kind}`,
      'SERIALIZATION',
      explicit(id, 'echo', nestAt(buildUnrecordable(kind), at, filler)),
    ),
  );

const oversizedInput = fc
  .tuple(oddValidId, fc.string({ unit: oddValueUnit, minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 3 }))
  .map(([id, unit, times]) => {
    const text = unit.repeat(Math.ceil(((SMALL_PAYLOAD_BYTES + 1) * times) / Buffer.byteLength(unit)));
    return bad('oversized input', 'PAYLOAD_TOO_LARGE', explicit(id, 'echo', { text }), 'small');
  });

const deepInput = fc
  .tuple(oddValidId, fc.integer({ min: 513, max: 4_000 }), fc.boolean(), oddString)
  .map(([id, depth, asObjects, key]) =>
    bad('nesting deeper than 512', 'SERIALIZATION', explicit(id, 'echo', deeplyNested(depth, asObjects, key))),
  );

const conflicts = fc.oneof(
  oddJsonValue
    .filter((input) => JSON.stringify(input) !== JSON.stringify(SEEDED.input))
    .map((input) => bad('id reused, other input', 'EXECUTION_CONFLICT', explicit(SEEDED.executionId, 'echo', input))),
  fc.constant(
    bad('id reused, other workflow', 'EXECUTION_CONFLICT', explicit(SEEDED.executionId, 'other', SEEDED.input)),
  ),
);

const resumeOfNothing = oddValidId.map((id) =>
  bad('resume of an unknown id', 'EXECUTION_NOT_FOUND', { executionId: `missing-${id}` }),
);

/** Every kind of bad event, in proportions that give each category a fair share of the runs. */
export const badCase: fc.Arbitrary<BadCase> = fc.oneof(
  { arbitrary: randomJsonEvent, weight: 3 },
  { arbitrary: randomKeysEvent, weight: 2 },
  { arbitrary: wrongTypes, weight: 3 },
  { arbitrary: badIdEvent, weight: 2 },
  { arbitrary: wrongEnvelopes, weight: 3 },
  { arbitrary: envelopeWithoutWorkflow, weight: 1 },
  { arbitrary: unknownWorkflow, weight: 2 },
  { arbitrary: unrecordableInput, weight: 3 },
  { arbitrary: oversizedInput, weight: 1 },
  { arbitrary: deepInput, weight: 1 },
  { arbitrary: conflicts, weight: 1 },
  { arbitrary: resumeOfNothing, weight: 1 },
);
