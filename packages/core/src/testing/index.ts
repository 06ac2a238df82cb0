/**
 * `@durable/core/testing`: the kit to test durable workflows with, in any test framework (vitest, `node:test`,
 * Jest, Bun) and with no fake timers. A {@link DurableTestRunner} runs services over an in-memory store on a
 * virtual clock of its own: sleeps of days take no time, callbacks are completed by name, crashes are injected
 * at a checkpoint, and the journal of each execution reads back as plain objects. See docs/testing.md in the repository.
 *
 * @example
 * ```ts
 * import { DurableTestRunner } from '@durable/core/testing';
 *
 * const runner = new DurableTestRunner({ services: [OrderService] });
 * const execution = await runner.run(OrderService, 'place', { orderId: 'o-1' });
 * assert.equal(execution.status, 'SUCCEEDED');
 * assert.equal(execution.step('charge')?.attempts, 1);
 * ```
 *
 * @packageDocumentation
 */

export { type ReplayVerdict, replayJournal } from '../replay/replay-journal.js';
export { ManualClock } from './clock.js';
export { type CrashPoint, type CrashReport, type CrashTarget, describeCrashPoint } from './crash-points.js';
export { type LogEntry, RecordingLogger, rejectionOf, thrownBy } from './fixtures.js';
export type { JournalEntry } from './journal-view.js';
export { TestExecution } from './test-execution.js';
export { DurableTestRunner, type DurableTestRunnerOptions, type RunOptions } from './test-runner.js';
export {
  CallbackNotPendingError,
  CrashPointNotReachedError,
  InvalidCrashPointError,
  RunawayExecutionError,
} from './test-runner-errors.js';
