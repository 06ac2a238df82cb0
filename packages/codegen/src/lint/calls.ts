import { ts } from 'ts-morph';
import type { ImportedName } from './modules.js';
import type { RuleCode } from './rules.js';
import { isGlobal } from './scopes.js';

/** A call a rule forbids in workflow code: which rule, and the call as the message names it. */
export interface Forbidden {
  code: RuleCode;
  what: string;
}

/** Calls of globals, by their dotted name (`globalThis.` and `global.` stripped). */
const GLOBAL_CALLS = new Map<string, RuleCode>([
  ['Date', 'nondeterministic-time'], // Date(x) ignores x: it is always the current time
  ['Date.now', 'nondeterministic-time'],
  ['performance.now', 'nondeterministic-time'],
  ['process.hrtime', 'nondeterministic-time'],
  ['process.hrtime.bigint', 'nondeterministic-time'],
  ['Math.random', 'nondeterministic-random'],
  ['crypto.randomUUID', 'nondeterministic-random'],
  ['crypto.getRandomValues', 'nondeterministic-random'],
  ['setTimeout', 'timer-outside-sleep'],
  ['setInterval', 'timer-outside-sleep'],
  ['setImmediate', 'timer-outside-sleep'],
  ['fetch', 'io-outside-step'],
]);
const GLOBAL_ROOTS = new Set([...GLOBAL_CALLS.keys()].map((name) => name.split('.')[0]!));

const CRYPTO_MODULES = new Set(['crypto', 'node:crypto']);
const CRYPTO_RANDOM = new Set([
  'randomUUID',
  'randomBytes',
  'randomInt',
  'getRandomValues',
  'randomFillSync',
  'randomFill',
]);
const UUID_RANDOM = new Set(['v1', 'v4', 'v6', 'v7']);
const IO_MODULES = new Set([
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'http',
  'node:http',
  'https',
  'node:https',
  'http2',
  'node:http2',
  'net',
  'node:net',
  'dgram',
  'node:dgram',
  'tls',
  'node:tls',
  'dns',
  'node:dns',
  'dns/promises',
  'node:dns/promises',
]);
/** Functions of the I/O modules that compute without doing I/O. */
const PURE_IO_MEMBERS = new Set(['isIP', 'isIPv4', 'isIPv6']);
/** Modules whose default export (or named `fetch`) is the fetch function. */
const FETCH_MODULES = new Set(['node-fetch', 'cross-fetch', 'undici']);
const TIMER_MODULES = new Set(['timers', 'node:timers']);
const TIMER_PROMISE_MODULES = new Set(['timers/promises', 'node:timers/promises']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate']);

/**
 * What a call is, if a rule forbids it in workflow code: a global (unless a
 * local declaration shadows it), a function of a known module (through any
 * import form), or `.send` of an AWS SDK client.
 */
export function classifyCall(
  call: ts.CallExpression,
  imports: ReadonlyMap<string, ImportedName>,
): Forbidden | undefined {
  const callee = call.expression;
  const dotted = dottedName(callee);
  if (dotted !== undefined) {
    const found = classifyName(dotted, rootIdentifier(callee), imports);
    if (found !== undefined) return found;
  }
  if (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 'send' &&
    callee.expression.kind !== ts.SyntaxKind.ThisKeyword &&
    isSdkSend(call, callee.expression)
  ) {
    return { code: 'io-outside-step', what: `${callee.expression.getText()}.send()` };
  }
  return undefined;
}

/**
 * A clock or random function passed as an argument, for the callee to call:
 * `items.map(Math.random)`. Only direct arguments: `retry({ clock: Date.now })` is not seen.
 */
export function classifyReference(
  argument: ts.Expression,
  imports: ReadonlyMap<string, ImportedName>,
): Forbidden | undefined {
  const dotted = dottedName(argument);
  // `Date` itself is passed as a class (`instanceof`, schema libraries), not as the clock.
  if (dotted === undefined || stripGlobalThis(dotted) === 'Date') return undefined;
  const found = classifyName(dotted, rootIdentifier(argument), imports);
  if (found === undefined || (found.code !== 'nondeterministic-time' && found.code !== 'nondeterministic-random')) {
    return undefined;
  }
  return { code: found.code, what: `${dotted} (passed as a function)` };
}

/** `new Date()` without arguments (`new Date(x)` is a fixed time). */
export function classifyNew(node: ts.NewExpression, imports: ReadonlyMap<string, ImportedName>): Forbidden | undefined {
  if (node.arguments !== undefined && node.arguments.length > 0) return undefined;
  const dotted = dottedName(node.expression);
  const root = rootIdentifier(node.expression);
  if (dotted === undefined || root === undefined || imports.has(root.text) || !isGlobal(root)) return undefined;
  return stripGlobalThis(dotted) === 'Date' ? { code: 'nondeterministic-time', what: 'new Date()' } : undefined;
}

function classifyName(
  dotted: string,
  root: ts.Identifier | undefined,
  imports: ReadonlyMap<string, ImportedName>,
): Forbidden | undefined {
  if (root === undefined) return undefined;
  const imported = imports.get(root.text);
  if (imported !== undefined) return classifyImported(dotted, imported);
  if (!GLOBAL_ROOTS.has(root.text) && root.text !== 'globalThis' && root.text !== 'global') return undefined;
  const code = GLOBAL_CALLS.get(stripGlobalThis(dotted));
  return code === undefined || !isGlobal(root) ? undefined : { code, what: `${dotted}()` };
}

/** A call through an import: `randomUUID()`, `nodeCrypto.randomBytes()`, `hrtime.bigint()`, `fsp.readdir()`. */
function classifyImported(dotted: string, imported: ImportedName): Forbidden | undefined {
  const { module, importedName } = imported;
  const rest = dotted.split('.').slice(1);
  // The path of the called function inside the module: ['randomBytes'], ['promises', 'readdir'], [] for `fetch()`.
  const inside = importedName === '*' || importedName === 'default' ? rest : [importedName, ...rest];
  const [first] = inside;
  const what = `${dotted}()`;
  if (CRYPTO_MODULES.has(module)) {
    return CRYPTO_RANDOM.has(inside.at(-1) ?? '') ? { code: 'nondeterministic-random', what } : undefined;
  }
  if (module === 'uuid') return UUID_RANDOM.has(first ?? '') ? { code: 'nondeterministic-random', what } : undefined;
  if (module === 'nanoid') return first === 'nanoid' ? { code: 'nondeterministic-random', what } : undefined;
  if (IO_MODULES.has(module)) {
    return first !== undefined && !PURE_IO_MEMBERS.has(inside.at(-1)!)
      ? { code: 'io-outside-step', what: `${what} from '${module}'` }
      : undefined;
  }
  if (FETCH_MODULES.has(module)) {
    return first === undefined || first === 'fetch' || (module === 'undici' && first === 'request')
      ? { code: 'io-outside-step', what: `${what} from '${module}'` }
      : undefined;
  }
  if (TIMER_MODULES.has(module)) return TIMERS.has(first ?? '') ? { code: 'timer-outside-sleep', what } : undefined;
  if (TIMER_PROMISE_MODULES.has(module)) {
    return first !== undefined ? { code: 'timer-outside-sleep', what: `${what} from '${module}'` } : undefined;
  }
  const path = inside.join('.');
  if ((module === 'perf_hooks' || module === 'node:perf_hooks') && path === 'performance.now') {
    return { code: 'nondeterministic-time', what };
  }
  if ((module === 'process' || module === 'node:process') && (path === 'hrtime' || path === 'hrtime.bigint')) {
    return { code: 'nondeterministic-time', what };
  }
  return undefined;
}

/** `client.send(new XCommand(...))`, or `.send` on something named like an SDK client (`s3Client`, `this.client`). */
function isSdkSend(call: ts.CallExpression, receiver: ts.Expression): boolean {
  const [argument] = call.arguments;
  if (argument !== undefined && ts.isNewExpression(argument) && /Command$/.test(argument.expression.getText())) {
    return true;
  }
  return /client$/i.test(receiver.getText());
}

/** `a.b.c` for an identifier or a chain of property accesses on one, else undefined. */
export function dottedName(node: ts.Expression): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.name)) {
    const left = dottedName(node.expression);
    return left === undefined ? undefined : `${left}.${node.name.text}`;
  }
  return undefined;
}

function rootIdentifier(node: ts.Expression): ts.Identifier | undefined {
  let current = node;
  while (ts.isPropertyAccessExpression(current)) current = current.expression;
  return ts.isIdentifier(current) ? current : undefined;
}

function stripGlobalThis(dotted: string): string {
  return dotted.replace(/^(?:globalThis|global)\./, '');
}
