import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunOutcome } from './function-runner.js';
import { describeFunctionError } from './lambda-errors.js';
import { DevRuntimeError } from './runtime-error.js';
import { SnapshotFile } from './snapshot-file.js';

/** An asynchronous invocation (`InvocationType: Event`), as the server accepted it. */
export interface AsyncInvocation {
  functionName: string;
  /** What the caller invoked: a version, an alias or '$LATEST'; the server resolves it at each attempt. */
  qualifier: string;
  /** The same on every attempt, as in Lambda: the function sees one `awsRequestId` however often it runs. */
  requestId: string;
  payload: Uint8Array;
  invokedFunctionArn: string;
}

/** One attempt of an event, handed to the server's `run`. */
export interface EventAttempt extends AsyncInvocation {
  /** 1 for the first attempt, 2 and 3 for Lambda's retries. */
  attempt: number;
}

/** A pending event, as {@link EventQueue.pending} lists it. */
export interface PendingEvent {
  functionName: string;
  qualifier: string;
  requestId: string;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch milliseconds of the next attempt. */
  nextAttemptAt: number;
  /** Why the last attempt failed. */
  lastError?: string;
}

/** A function's EventInvokeConfig, as far as the queue follows it. */
export interface EventInvokeLimits {
  /** 0 to 2 retries after a function error (Lambda's default 2). */
  maximumRetryAttempts?: number;
  /** An event older than this is dropped instead of retried (Lambda's default 6 hours). */
  maximumEventAgeInSeconds?: number;
}

/** What the queue needs from the server. */
export interface EventQueueOptions {
  /** The folder of the queue's file (events.json); created when missing. */
  folder: string;
  /** Runs one attempt through the server's usual path (resolve the qualifier, the version's runner). */
  run(attempt: EventAttempt): Promise<RunOutcome>;
  /** The function's current EventInvokeConfig, read at each retry; undefined for Lambda's defaults. */
  limitsOf?(functionName: string, qualifier: string): EventInvokeLimits | undefined;
  /** Receives a line per retry and per dropped event. */
  log(line: string): void;
  /** Delay before the first retry, the second, …; the last repeats. Lambda waits about 1 and 2 minutes. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000];
const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 6 * 60 * 60;
const FILE_NAME = 'events.json';

/** An event as the file keeps it: the payload in base64. */
interface StoredEvent {
  functionName: string;
  qualifier: string;
  requestId: string;
  invokedFunctionArn: string;
  payload: string;
  attempts: number;
  enqueuedAt: number;
  nextAttemptAt: number;
  lastError?: string;
}

/**
 * Lambda's asynchronous invocations for `durable-gen dev`: each accepted event is kept in a file until it
 * succeeded or used up its retries, so that events survive a restart of dev (opening the queue again runs what
 * is pending). A function error is retried with the same request id after `retryDelaysMs`, up to the
 * function's MaximumRetryAttempts, then dropped with a line saying why. Delivery is at least once: an attempt
 * under way when dev stops runs again at the next start.
 */
export class EventQueue {
  private readonly events = new Map<string, StoredEvent>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly file: SnapshotFile;
  private isClosed = false;

  private constructor(private readonly options: EventQueueOptions) {
    this.file = new SnapshotFile(path.join(options.folder, FILE_NAME), () => ({
      version: 1,
      events: [...this.events.values()],
    }));
  }

  /** Opens the queue in `options.folder` and starts the events left pending there. */
  static async open(options: EventQueueOptions): Promise<EventQueue> {
    mkdirSync(options.folder, { recursive: true });
    const queue = new EventQueue(options);
    for (const event of readEvents(queue.file.path)) queue.events.set(event.requestId, event);
    for (const event of queue.events.values()) queue.schedule(event);
    return queue;
  }

  /**
   * Accepts an event: resolves once it is on disk (then the server may answer 202), and runs it soon after.
   * An event whose request id is pending already is that event: accepting it again changes nothing.
   */
  async enqueue(invocation: AsyncInvocation): Promise<void> {
    if (this.isClosed) {
      throw new DevRuntimeError('EVENT_QUEUE_CLOSED', 'The event queue is closed: the dev server is stopping.');
    }
    if (this.events.has(invocation.requestId)) return;
    const now = Date.now();
    const event: StoredEvent = {
      functionName: invocation.functionName,
      qualifier: invocation.qualifier,
      requestId: invocation.requestId,
      invokedFunctionArn: invocation.invokedFunctionArn,
      payload: Buffer.from(invocation.payload).toString('base64'),
      attempts: 0,
      enqueuedAt: now,
      nextAttemptAt: now,
    };
    this.events.set(event.requestId, event);
    try {
      await this.file.save();
    } catch (error) {
      this.events.delete(event.requestId);
      throw error;
    }
    this.schedule(event);
  }

  /** The events not yet done, oldest first. */
  pending(): PendingEvent[] {
    return [...this.events.values()].map(
      ({ functionName, qualifier, requestId, attempts, nextAttemptAt, lastError }) => ({
        functionName,
        qualifier,
        requestId,
        attempts,
        nextAttemptAt,
        ...(lastError === undefined ? {} : { lastError }),
      }),
    );
  }

  /** Stops the retry timers; what is pending stays in the file for the next start. */
  async close(): Promise<void> {
    this.isClosed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.file.idle();
  }

  private schedule(event: StoredEvent): void {
    if (this.isClosed) return;
    const delay = Math.max(0, event.nextAttemptAt - Date.now());
    this.timers.set(
      event.requestId,
      setTimeout(() => void this.attempt(event), delay),
    );
  }

  private async attempt(event: StoredEvent): Promise<void> {
    this.timers.delete(event.requestId);
    const limits = this.limitsOf(event);
    const ageSeconds = (Date.now() - event.enqueuedAt) / 1000;
    if (event.attempts > 0 && ageSeconds > limits.maximumEventAgeInSeconds) {
      this.drop(event, `it is older than its MaximumEventAgeInSeconds (${limits.maximumEventAgeInSeconds} s)`);
      return;
    }
    event.attempts += 1;
    const failure = await this.runOnce(event);
    // After close the outcome is not recorded: the event stays pending in the file and runs again at the next start.
    if (this.isClosed) return;
    if (failure === undefined) {
      this.events.delete(event.requestId);
      this.save();
      return;
    }
    const retriesLeft = this.limitsOf(event).maximumRetryAttempts - (event.attempts - 1);
    if (retriesLeft <= 0) {
      this.drop(event, `after ${plural(event.attempts, 'attempt')}: ${failure}`);
      return;
    }
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delayMs = delays[Math.min(event.attempts - 1, delays.length - 1)] ?? 0;
    event.lastError = failure;
    event.nextAttemptAt = Date.now() + delayMs;
    this.options.log(
      `[events] ${describe(event)} failed (attempt ${event.attempts}): ${failure}; retrying in ${delayMs} ms`,
    );
    this.save();
    this.schedule(event);
  }

  /** Runs one attempt; the failure's description, or undefined when it succeeded. */
  private async runOnce(event: StoredEvent): Promise<string | undefined> {
    try {
      const outcome = await this.options.run({
        functionName: event.functionName,
        qualifier: event.qualifier,
        requestId: event.requestId,
        invokedFunctionArn: event.invokedFunctionArn,
        payload: new Uint8Array(Buffer.from(event.payload, 'base64')),
        attempt: event.attempts,
      });
      return outcome.functionError === undefined ? undefined : describeFunctionError(outcome.payload);
    } catch (error) {
      // The server could not run it at all (the function or its alias is gone): a failed attempt like any other.
      return error instanceof Error ? error.message : String(error);
    }
  }

  private drop(event: StoredEvent, why: string): void {
    this.events.delete(event.requestId);
    this.options.log(`[events] dropped ${describe(event)} ${why}`);
    this.save();
  }

  private save(): void {
    this.file.save().catch((error: unknown) => {
      this.options.log(`[events] could not write ${this.file.path}: ${error instanceof Error ? error.message : error}`);
    });
  }

  private limitsOf(event: StoredEvent): Required<EventInvokeLimits> {
    const limits = this.options.limitsOf?.(event.functionName, event.qualifier);
    return {
      maximumRetryAttempts: limits?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: limits?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    };
  }
}

function readEvents(file: string): StoredEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw unreadable(file, error instanceof Error ? error.message : String(error));
  }
  const events = (parsed as { events?: unknown } | null)?.events;
  if (!Array.isArray(events) || !events.every(isStoredEvent)) throw unreadable(file, 'it holds no list of events');
  return events;
}

function isStoredEvent(value: unknown): value is StoredEvent {
  const event = value as Partial<StoredEvent> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.requestId === 'string' &&
    typeof event.functionName === 'string' &&
    typeof event.qualifier === 'string' &&
    typeof event.invokedFunctionArn === 'string' &&
    typeof event.payload === 'string' &&
    typeof event.attempts === 'number' &&
    typeof event.enqueuedAt === 'number' &&
    typeof event.nextAttemptAt === 'number'
  );
}

function unreadable(file: string, why: string): DevRuntimeError {
  return new DevRuntimeError(
    'EVENT_QUEUE_UNREADABLE',
    `${file} is not a readable event queue (${why}). Move it away, or delete it to drop the events it held, ` +
      'then start dev again.',
  );
}

function describe(event: StoredEvent): string {
  return `event ${event.requestId} of ${event.functionName}:${event.qualifier}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
