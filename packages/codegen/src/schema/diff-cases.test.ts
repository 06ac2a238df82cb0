/**
 * The table-driven proof that `durable-gen diff` tells what the engine does. Each case under `__changes__/`
 * is one service at two versions (`before.ts`, `after.ts`). For each, the test
 *
 * 1. generates both (a dry run, as `durable-gen diff` does) and checks the classification and change codes
 *    `diffManifests` gives;
 * 2. starts an execution on `before` and drives it until it waits at a durable wait placed after the changed
 *    operations (`ctx.sleep('hold', { days: 1 })`, or the callback the case changes), then resumes the same
 *    store on `after` past that wait: a breaking change must fail the execution, a safe one must let it finish.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type DurableHandler,
  InProcessInvoker,
  type InProcessInvokerOptions,
  isDurableError,
  type Logger,
  MemoryStore,
  type ServiceClass,
} from '@durable/core';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../emit/manifest.js';
import { generate } from '../generate.js';
import type { Order } from './__changes__/order.js';
import { diffManifests } from './diff.js';

const CASES_FOLDER = fileURLToPath(new URL('./__changes__/', import.meta.url));
const DAY_MS = 86_400_000;
const INPUT: Order = { id: 'o-1', sku: 's-9', quantity: 2, items: ['a', 'b'], vip: false, express: true };
const QUIET: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface ChangeCase {
  /** The folder under `__changes__/`. */
  name: string;
  /** `change classification` of each change diff reports, in order; none for a change outside the schema. */
  changes: string[];
  /** The workflow the execution runs. */
  workflow?: string;
  /** The operation the execution waits at when the code changes. */
  waitsAt?: string;
  /** The error code a breaking change ends the execution with. */
  failsWith?: string;
}

const SAFE: ChangeCase[] = [
  { name: 'appended-at-end', changes: ['appended safe'] },
  { name: 'appended-in-parallel-branch', changes: ['appended safe'] },
  { name: 'appended-in-map-item', changes: ['appended safe'] },
  { name: 'appended-in-last-branch', changes: ['appended safe'] },
  { name: 'workflow-added', changes: ['workflow-added safe'] },
  { name: 'semantics-changed', changes: ['semantics-changed safe'] },
  { name: 'retry-policy-changed', changes: [] },
  { name: 'doc-comment-added', changes: [] },
  { name: 'step-body-changed', changes: [] },
  { name: 'lines-moved', changes: [] },
  { name: 'duration-rewritten', changes: [] },
];

const BREAKING: ChangeCase[] = [
  { name: 'step-renamed', changes: ['renamed breaking'] },
  { name: 'step-removed', changes: ['removed breaking'] },
  { name: 'step-inserted', changes: ['inserted breaking'] },
  { name: 'now-inserted', changes: ['inserted breaking'] },
  { name: 'steps-reordered', changes: ['reordered breaking'] },
  { name: 'kind-changed', changes: ['kind-changed breaking'] },
  { name: 'arguments-changed', changes: ['arguments-changed breaking'] },
  { name: 'argument-added', changes: ['arguments-changed breaking'] },
  { name: 'sleep-duration-changed', changes: ['duration-changed breaking'] },
  { name: 'sleep-renamed', changes: ['renamed breaking'] },
  { name: 'callback-timeout-changed', changes: ['timeout-changed breaking'], waitsAt: 'approval' },
  { name: 'invoke-target-changed', changes: ['target-changed breaking'] },
  { name: 'invoke-input-changed', changes: ['arguments-changed breaking'] },
  { name: 'parallel-branch-added', changes: ['branches-changed breaking'] },
  { name: 'map-items-changed', changes: ['arguments-changed breaking'] },
  { name: 'removed-from-map-item', changes: ['removed breaking'] },
  { name: 'appended-in-loop-body', changes: ['inserted breaking'] },
  { name: 'loop-header-changed', changes: ['control-flow-changed breaking'] },
  { name: 'moved-into-branch', changes: ['moved breaking'] },
  { name: 'moved-out-of-branch', changes: ['moved breaking'] },
  { name: 'condition-changed', changes: ['control-flow-changed breaking'] },
  { name: 'early-return-inserted', changes: ['inserted breaking'] },
  { name: 'loop-continue-inserted', changes: ['inserted breaking'] },
  { name: 'duration-constant-changed', changes: ['duration-changed breaking'] },
  { name: 'local-argument-changed', changes: ['arguments-changed breaking'] },
  { name: 'condition-variable-changed', changes: ['control-flow-changed breaking'] },
  { name: 'computed-step-name-changed', changes: ['renamed breaking'] },
  { name: 'outside-helper-changed', changes: ['inserted breaking'] },
  { name: 'bound-step-inserted', changes: ['inserted breaking', 'opaque-code breaking'] },
  { name: 'inherited-step-inserted', changes: ['inserted breaking'] },
  {
    name: 'workflow-removed',
    changes: ['workflow-removed breaking'],
    workflow: 'refund',
    failsWith: 'UNKNOWN_WORKFLOW',
  },
];

/**
 * Where diff is cautious: it compares expressions as written, not the values they give, so a rewrite that
 * gives the same values is called breaking though running executions replay across it. Pinned here so a
 * change either way is noticed.
 */
const CAUTIOUS: ChangeCase[] = [
  { name: 'argument-rewritten', changes: ['arguments-changed breaking'] },
  { name: 'map-items-copied', changes: ['arguments-changed breaking'] },
  { name: 'parameter-renamed', changes: ['arguments-changed breaking'] },
];

/** The manifest a dry-run `generate` gives for one version of a case. */
function manifestOf(name: string, version: 'before' | 'after'): Manifest {
  const result = generate({
    root: `${CASES_FOLDER}${name}`,
    paths: [`${version}.ts`],
    dryRun: true,
    account: '123456789012',
    region: 'eu-west-1',
  });
  expect(result.diagnostics).toEqual([]);
  return JSON.parse(result.files.get(`${result.outDir}/manifest.json`)!) as Manifest;
}

/**
 * The `orders` handler of one version of a case, with the other services of its file run in process
 * (invokes), on `options.store`.
 */
async function ordersHandler(
  name: string,
  version: 'before' | 'after',
  options: Omit<InProcessInvokerOptions, 'services'>,
): Promise<DurableHandler> {
  const module = (await import(pathToFileURL(`${CASES_FOLDER}${name}/${version}.ts`).href)) as Record<string, unknown>;
  const services = Object.values(module).filter((value): value is ServiceClass => typeof value === 'function');
  return new InProcessInvoker({ ...options, services }).handler('orders');
}

/**
 * Runs the case's execution on `before` until it waits at `waitsAt`, then resumes it on `after` a day later
 * (past the hold): the outcome, or the error it ended with.
 */
async function resumeOnNewCode(test: ChangeCase): Promise<{ status: string } | { error: unknown }> {
  const store = new MemoryStore();
  let time = Date.UTC(2026, 0, 1);
  const options = { store, now: () => time, maxInProcessWaitMs: 0, logger: QUIET };
  const before = await ordersHandler(test.name, 'before', options);
  const after = await ordersHandler(test.name, 'after', options);
  const executionId = `${test.name}-${randomUUID().slice(0, 8)}`;
  const waitsAt = test.waitsAt ?? 'hold';
  let result = await before({ executionId, workflow: test.workflow ?? 'run', input: INPUT });
  for (;;) {
    expect(result.status).toBe('SUSPENDED');
    const journal = await store.loadJournal({ service: 'orders', executionId });
    if (journal.some((record) => record.name === waitsAt && record.status === 'STARTED')) break;
    // An earlier wait of the case (a shorter sleep): move the clock to its end, as the sweeper would.
    time = 'resumeAt' in result && result.resumeAt !== undefined ? result.resumeAt : time + DAY_MS;
    result = await before({ executionId });
  }
  time += 2 * DAY_MS;
  return after({ executionId }).then(
    (outcome) => ({ status: outcome.status }),
    (error: unknown) => ({ error }),
  );
}

const CASES = [...SAFE, ...BREAKING];

describe('durable-gen diff, one code change at a time', () => {
  it('has at least 20 cases, safe and breaking', () => {
    expect(SAFE.length).toBeGreaterThanOrEqual(10);
    expect(BREAKING.length).toBeGreaterThanOrEqual(10);
  });

  it.each(CASES)('$name: diff reports $changes', (test) => {
    const diff = diffManifests(manifestOf(test.name, 'before'), manifestOf(test.name, 'after'));
    expect(diff.changes.map((change) => `${change.change} ${change.classification}`)).toEqual(test.changes);
    expect(diff.breaking).toBe(BREAKING.includes(test));
  });

  // Whatever the table above expects: the engine must do what diff says.
  it.each(CASES)('$name: the engine agrees with diff', async (test) => {
    const { breaking } = diffManifests(manifestOf(test.name, 'before'), manifestOf(test.name, 'after'));
    const outcome = await resumeOnNewCode(test);
    if (!breaking) {
      expect(outcome).toEqual({ status: 'SUCCEEDED' });
      return;
    }
    expect(outcome).toHaveProperty('error');
    const { error } = outcome as { error: unknown };
    expect(isDurableError(error) ? error.code : error).toBe(test.failsWith ?? 'NON_DETERMINISM');
  });
});

describe('durable-gen diff where it is more cautious than the engine', () => {
  it.each(CAUTIOUS)('$name: diff reports $changes, and the engine replays across it', async (test) => {
    const diff = diffManifests(manifestOf(test.name, 'before'), manifestOf(test.name, 'after'));
    expect(diff.changes.map((change) => `${change.change} ${change.classification}`)).toEqual(test.changes);
    expect(await resumeOnNewCode(test)).toEqual({ status: 'SUCCEEDED' });
  });
});
