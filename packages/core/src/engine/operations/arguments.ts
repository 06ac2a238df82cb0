import { hashSerialized } from '../../journal/hash.js';
import { serialize } from '../../serde/serialize.js';

/** Characters of the arguments kept in a record, so a mismatch can show what was recorded. */
const ARGS_PREVIEW_CHARS = 200;

/**
 * The replay-check identity of an operation's arguments: a hash of their
 * canonical serialization, and a short readable preview. Trailing `undefined`
 * arguments are left out, so `f(x)` and `f(x, undefined)` are the same call.
 */
export function argumentsOf(args: readonly unknown[], what: string): { argsHash: string; args: string } {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const canonical = serialize(end === args.length ? args : args.slice(0, end), what, { canonical: true });
  return { argsHash: hashSerialized(canonical), args: preview(canonical) };
}

/** One value (an invoke's input) as {@link argumentsOf} does a list. */
export function valueIdentity(value: unknown, what: string): { argsHash: string; args: string } {
  const canonical = serialize(value, what, { canonical: true });
  return { argsHash: hashSerialized(canonical), args: preview(canonical) };
}

function preview(text: string): string {
  return text.length <= ARGS_PREVIEW_CHARS ? text : `${text.slice(0, ARGS_PREVIEW_CHARS - 1)}…`;
}
