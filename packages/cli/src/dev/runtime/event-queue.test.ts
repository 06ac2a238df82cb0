import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AsyncInvocation, type EventAttempt, EventQueue, type EventQueueOptions } from './event-queue.js';
import { createFunctionRunner, type FunctionRunner, type RunOutcome } from './function-runner.js';

const folders: string[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'durable-events-'));
  folders.push(folder);
  return folder;
}

async function openQueue(options: Partial<EventQueueOptions> & Pick<EventQueueOptions, 'folder' | 'run'>) {
  const lines: string[] = [];
  const queue = await EventQueue.open({ log: (line) => lines.push(line), retryDelaysMs: [10, 20], ...options });
  closers.push(() => queue.close());
  return { queue, lines };
}

function invocation(event: unknown = { n: 1 }): AsyncInvocation {
  return {
    functionName: 'reviews',
    qualifier: 'live',
    requestId: randomUUID(),
    payload: new TextEncoder().encode(JSON.stringify(event)),
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews:live',
  };
}

function storedEvents(folder: string): Array<{ requestId: string; attempts: number }> {
  return JSON.parse(readFileSync(path.join(folder, 'events.json'), 'utf8')).events;
}

async function waitFor(condition: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const succeeded: RunOutcome = { payload: new TextEncoder().encode('null'), log: '' };

describe('EventQueue', () => {
  it('retries a failing event twice with the same request id, then drops it with the error', async () => {
    const folder = tempFolder();
    const codeDir = tempFolder();
    writeFileSync(
      path.join(codeDir, 'index.mjs'),
      "export const handler = async (event, context) => { throw new Error('refused ' + context.awsRequestId); };\n",
    );
    const runner: FunctionRunner = createFunctionRunner(
      {
        functionName: 'reviews',
        version: '3',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:reviews',
        codeDir,
        handler: 'index.handler',
        timeoutSeconds: 3,
        memorySizeMb: 128,
        environment: {},
      },
      { endpointUrl: 'http://127.0.0.1:1', region: 'eu-west-1', accountId: '123456789012', log: () => {} },
    );
    closers.push(() => runner.close());
    const attempts: Array<{ attempt: EventAttempt; outcome: RunOutcome }> = [];
    const { queue, lines } = await openQueue({
      folder,
      run: async (attempt) => {
        const outcome = await runner.run(attempt);
        attempts.push({ attempt, outcome });
        return outcome;
      },
    });
    const event = invocation();
    await queue.enqueue(event);
    expect(storedEvents(folder).map((stored) => stored.requestId)).toEqual([event.requestId]);

    await waitFor(() => lines.some((line) => line.includes('dropped')), 'the drop');
    expect(attempts.map(({ attempt }) => [attempt.requestId, attempt.attempt])).toEqual([
      [event.requestId, 1],
      [event.requestId, 2],
      [event.requestId, 3],
    ]);
    for (const { outcome } of attempts) {
      expect(JSON.parse(new TextDecoder().decode(outcome.payload)).errorMessage).toBe(`refused ${event.requestId}`);
    }
    expect(lines.filter((line) => line.includes('retrying'))).toHaveLength(2);
    expect(lines.at(-1)).toBe(
      `[events] dropped event ${event.requestId} of reviews:live after 3 attempts: Error: refused ${event.requestId}`,
    );
    expect(queue.pending()).toEqual([]);
    await queue.close();
    expect(storedEvents(folder)).toEqual([]);
  });

  it("follows the function's MaximumRetryAttempts, and removes an event once it succeeded", async () => {
    const folder = tempFolder();
    const calls: EventAttempt[] = [];
    const { queue, lines } = await openQueue({
      folder,
      run: async (attempt) => {
        calls.push(attempt);
        if (attempt.functionName === 'succeeds') return succeeded;
        return {
          payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"no"}'),
          functionError: 'Unhandled',
          log: '',
        };
      },
      limitsOf: (functionName) => (functionName === 'fails' ? { maximumRetryAttempts: 0 } : undefined),
    });
    await queue.enqueue({ ...invocation(), functionName: 'fails' });
    await queue.enqueue({ ...invocation(), functionName: 'succeeds' });
    await waitFor(() => queue.pending().length === 0, 'both events done');
    expect(calls.map((call) => [call.functionName, call.attempt])).toEqual([
      ['fails', 1],
      ['succeeds', 1],
    ]);
    expect(lines).toEqual([
      expect.stringMatching(/^\[events\] dropped event .* of fails:live after 1 attempt: Error: no$/),
    ]);
    await queue.close();
    expect(storedEvents(folder)).toEqual([]);
  });

  it('runs the events left pending by a stopped queue when the folder is opened again', async () => {
    const folder = tempFolder();
    const started: EventAttempt[] = [];
    // The first queue stops while its attempt is under way: the outcome is never recorded.
    const first = await openQueue({
      folder,
      run: (attempt) => {
        started.push(attempt);
        return new Promise<RunOutcome>(() => {});
      },
    });
    const event = invocation({ order: 42 });
    await first.queue.enqueue(event);
    await waitFor(() => started.length === 1, 'the first attempt');
    await first.queue.close();
    expect(storedEvents(folder)).toMatchObject([{ requestId: event.requestId, attempts: 0 }]);

    const rerun: EventAttempt[] = [];
    const second = await openQueue({
      folder,
      run: async (attempt) => {
        rerun.push(attempt);
        return succeeded;
      },
    });
    expect(second.queue.pending().map((pending) => pending.requestId)).toEqual([event.requestId]);
    await waitFor(() => second.queue.pending().length === 0, 'the event to run after the restart');
    expect(rerun).toHaveLength(1);
    expect(rerun[0]).toMatchObject({
      requestId: event.requestId,
      functionName: 'reviews',
      qualifier: 'live',
      invokedFunctionArn: event.invokedFunctionArn,
    });
    expect(JSON.parse(new TextDecoder().decode(rerun[0]!.payload))).toEqual({ order: 42 });
    await second.queue.close();
    expect(storedEvents(folder)).toEqual([]);
  });

  it('refuses a file that is not an event queue, and enqueues after close', async () => {
    const folder = tempFolder();
    writeFileSync(path.join(folder, 'events.json'), '{"events": [{"requestId": 1}]}');
    await expect(EventQueue.open({ folder, run: async () => succeeded, log: () => {} })).rejects.toMatchObject({
      code: 'EVENT_QUEUE_UNREADABLE',
      message: expect.stringContaining('events.json'),
    });

    const { queue } = await openQueue({ folder: tempFolder(), run: async () => succeeded });
    await queue.close();
    await expect(queue.enqueue(invocation())).rejects.toMatchObject({ code: 'EVENT_QUEUE_CLOSED' });
  });
});
