/**
 * The error classes of this package: a re-export of `errors/`, where each
 * family has its file (base, execution, steps, values, callbacks,
 * configuration, store) and `registry.ts` maps codes to classes.
 */
export * from './errors/index.js';
