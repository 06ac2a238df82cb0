import { DurableError } from './base.js';
import * as callbacks from './callbacks.js';
import * as configuration from './configuration.js';
import * as execution from './execution.js';
import * as journal from './journal.js';
import * as steps from './steps.js';
import * as store from './store.js';
import * as values from './values.js';

type DurableErrorClass = (abstract new (...args: never[]) => DurableError) & { readonly code: string };

/** Every file of error classes: a class added to one of them is known here without being listed again. */
const FAMILIES: readonly object[] = [callbacks, configuration, execution, journal, steps, store, values];

function isErrorClass(value: unknown): value is DurableErrorClass {
  return (
    typeof value === 'function' &&
    // Not `instanceof`: DurableError's own check looks for the brand its instances carry, which prototypes lack.
    Object.prototype.isPrototypeOf.call(DurableError.prototype, value.prototype) &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * Every error class of this package by code, so recorded errors come back as
 * instances of their class (serde/serialize.ts).
 */
export const errorClassesByCode: ReadonlyMap<string, DurableErrorClass> = new Map(
  [DurableError as DurableErrorClass, ...FAMILIES.flatMap((family) => Object.values(family)).filter(isErrorClass)].map(
    (cls) => [cls.code, cls],
  ),
);
